# plugsmith runner harness: ArchiHub (platforms.md 5.1-5.4).
import copy
import importlib.abc
import importlib.machinery

_MISSING = object()


def _get_path(doc, dotted):
    cur = [doc]
    for part in dotted.split("."):
        nxt = []
        for c in cur:
            if isinstance(c, dict) and part in c:
                v = c[part]
                nxt.extend(v if isinstance(v, list) else [v])
            elif isinstance(c, list):
                for x in c:
                    if isinstance(x, dict) and part in x:
                        v = x[part]
                        nxt.extend(v if isinstance(v, list) else [v])
        cur = nxt
    return cur


def _norm(v):
    return str(v) if type(v).__name__ == "ObjectId" else v


def matches(doc, flt):
    for key, cond in (flt or {}).items():
        if key == "$or":
            if not any(matches(doc, f) for f in cond):
                return False
            continue
        if key == "$and":
            if not all(matches(doc, f) for f in cond):
                return False
            continue
        values = [_norm(v) for v in _get_path(doc, key)]
        if isinstance(cond, dict) and any(k.startswith("$") for k in cond):
            for op, arg in cond.items():
                if op == "$in" and not any(v in [_norm(a) for a in arg] for v in values):
                    return False
                if op == "$nin" and any(v in [_norm(a) for a in arg] for v in values):
                    return False
                if op == "$ne" and _norm(arg) in values:
                    return False
                if op == "$exists" and bool(values) != bool(arg):
                    return False
                if op == "$eq" and _norm(arg) not in values:
                    return False
        elif _norm(cond) not in values:
            return False
    return True


def _as_update(update):
    if hasattr(update, "model_dump"):
        update = update.model_dump(exclude_none=True)
    elif hasattr(update, "plugsmith_json"):
        update = update.plugsmith_json()
    if isinstance(update, dict) and not any(k.startswith("$") for k in update):
        update = {"$set": update}
    return update or {}


def apply_update(doc, update):
    for op, fields in update.items():
        for k, v in (fields or {}).items():
            parts = k.split(".")
            tgt = doc
            for p in parts[:-1]:
                tgt = tgt.setdefault(p, {})
            if op == "$set":
                tgt[parts[-1]] = jsonable(v)
            elif op == "$unset":
                tgt.pop(parts[-1], None)
            elif op == "$push":
                tgt.setdefault(parts[-1], []).append(jsonable(v))
            elif op == "$inc":
                tgt[parts[-1]] = tgt.get(parts[-1], 0) + v


class Cursor(list):
    def sort(self, *a, **k):
        return self

    def limit(self, n):
        return Cursor(self[:n]) if n else self

    def skip(self, n):
        return Cursor(self[n:])


class InMemoryDatabase(object):
    """Stand-in for app.utils.DatabaseHandler.DatabaseHandler over an in-memory store seeded
    from --records; every write is recorded (and reported as record updates)."""

    store = {}
    changes = []

    def __init__(self, *args, **kwargs):
        pass

    def _coll(self, collection):
        return InMemoryDatabase.store.setdefault(collection, [])

    def _rec(self, op, ret, **kw):
        emit("call", method="db.%s" % op, args=[], kwargs=jsonable(kw), returned=jsonable(ret))
        return ret

    def get_all_records(self, collection, filters={}, sort=None, limit=0, skip=0, fields=None):
        docs = [d for d in self._coll(collection) if matches(d, filters)]
        docs = docs[skip or 0:]
        if limit:
            docs = docs[:limit]
        return self._rec("get_all_records", Cursor(copy.deepcopy(docs)), collection=collection, filters=filters)

    def get_record(self, collection, filters={}, fields=None):
        doc = next((d for d in self._coll(collection) if matches(d, filters)), None)
        return self._rec("get_record", copy.deepcopy(doc), collection=collection, filters=filters)

    def count(self, collection, filters={}):
        return self._rec("count", sum(1 for d in self._coll(collection) if matches(d, filters)),
                         collection=collection, filters=filters)

    count_records = count

    def _update(self, op, collection, filters, update, many):
        upd = _as_update(update)
        n = 0
        for d in self._coll(collection):
            if matches(d, filters):
                apply_update(d, upd)
                n += 1
                InMemoryDatabase.changes.append({"op": op, "collection": collection, "_id": _norm(d.get("_id")),
                                                 "update": jsonable(upd)})
                if not many:
                    break
        return self._rec(op, {"matched_count": n, "modified_count": n}, collection=collection,
                         filters=filters, update=upd)

    def update_record(self, collection, filters, update):
        return self._update("update_record", collection, filters, update, False)

    def update_records(self, collection, filters, update):
        return self._update("update_records", collection, filters, update, True)

    def insert_record(self, collection, record):
        rec = _as_update(record).get("$set", {})
        rec.setdefault("_id", "%024x" % (len(self._coll(collection)) + 1000))
        self._coll(collection).append(rec)
        InMemoryDatabase.changes.append({"op": "insert_record", "collection": collection, "_id": rec["_id"],
                                         "record": jsonable(rec)})
        return self._rec("insert_record", type("InsertOneResult", (), {"inserted_id": rec["_id"]})(),
                         collection=collection, record=rec)

    def delete_record(self, collection, filters):
        coll = self._coll(collection)
        keep = [d for d in coll if not matches(d, filters)]
        n = len(coll) - len(keep)
        coll[:] = keep
        InMemoryDatabase.changes.append({"op": "delete_record", "collection": collection, "filters": jsonable(filters), "deleted": n})
        return self._rec("delete_record", {"deleted_count": n}, collection=collection, filters=filters)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def other(*args, **kwargs):
            emit("call", method="db.%s" % name, args=jsonable(list(args)), kwargs=jsonable(kwargs), returned=None)
            return None
        return other


class Stub(object):
    """A permissive stand-in for any unprovided `app.*` name: records calls, returns stubs."""

    def __init__(self, *args, **kwargs):
        self._args = args
        self._kwargs = kwargs

    def model_dump(self, exclude_none=False, **kw):
        return {k: v for k, v in self._kwargs.items() if not (exclude_none and v is None)}

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Stub

    def __call__(self, *args, **kwargs):
        return Stub(*args, **kwargs)


class _AppFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Provides stub modules for `app.*` imports that have no stand-in."""

    def find_spec(self, fullname, path, target=None):
        if fullname == "app" or fullname.startswith("app.") and not fullname.startswith("app.plugins"):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        m = types.ModuleType(spec.name)
        m.__path__ = []
        m.__getattr__ = lambda name: Stub if not name.startswith("__") else (_ for _ in ()).throw(AttributeError(name))
        return m

    def exec_module(self, module):
        emit("warning", message="module %s is not provided by the runner: a recording stub stands in" % module.__name__)


class SoftTimeLimitExceeded(Exception):
    pass


class _Task(object):
    def __init__(self, fn, options):
        self.fn = fn
        self.options = options
        self.name = options.get("name") or fn.__name__

    def __get__(self, obj, objtype=None):
        return self  # methods decorated in the class body are called without self

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def run(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def delay(self, *args, **kwargs):
        return self.apply_async(args, kwargs)

    def apply_async(self, args=(), kwargs=None, **options):
        emit("call", method="celery.%s.delay" % self.name, args=jsonable(list(args)), kwargs=jsonable(kwargs or {}), returned=None)
        result = self.fn(*args, **(kwargs or {}))
        return type("AsyncResult", (), {"id": "plugsmith-task-%s" % self.name, "result": result,
                                        "get": lambda s, *a, **k: result})()


def shared_task(*dargs, **options):
    if len(dargs) == 1 and callable(dargs[0]) and not options:
        return _Task(dargs[0], {})
    return lambda fn: _Task(fn, options)


def install_archihub_standins(plugins_parent):
    sys.meta_path.insert(0, _AppFinder())
    app = install_module("app", new_module("app", __path__=[]))
    app.__getattr__ = lambda name: Stub
    install_module("app.plugins", new_module("app.plugins", __path__=[plugins_parent]))
    utils = install_module("app.utils", new_module("app.utils", __path__=[]))
    dbmod = install_module("app.utils.DatabaseHandler", new_module("app.utils.DatabaseHandler", DatabaseHandler=InMemoryDatabase))
    utils.DatabaseHandler = dbmod

    class Blueprint(object):
        def __init__(self, name=None, import_name=None, *args, **kwargs):
            self.name = name
            self.import_name = import_name
            self.routes = []

        def route(self, rule, **options):
            def deco(fn):
                self.routes.append({"rule": rule, "methods": options.get("methods", ["GET"]), "function": fn.__name__})
                return fn
            return deco

    class PluginClass(Blueprint):
        """plugsmith stand-in for app.utils.PluginClass.PluginClass."""

        def __init__(self, path, filePath, import_name, name, description, version, author, type,
                     settings=None, capabilities=None, actions=None, **kwargs):
            super().__init__(path, import_name)
            self.path = path
            self.filePath = filePath
            self.name = name
            self.description = description
            self.version = version
            self.author = author
            self.type = type
            self.settings = settings
            self.capabilities = capabilities
            self.actions = actions
            self.slug = path.replace("app.plugins.", "")

        def activate_settings(self):
            pass

        def add_routes(self):
            pass

        def has_role(self, role, user):
            return True

        def add_task_to_user(self, taskId, taskName, user, resultType, params={}):
            emit("call", method="add_task_to_user", args=[taskId, taskName, user, resultType], kwargs={"params": jsonable(params)}, returned=None)

        def has_task(self, taskName, user):
            return False

        def allowedFile(self, filename, allowed_extensions):
            return "." in filename and filename.rsplit(".", 1)[1].lower() in allowed_extensions

        @classmethod
        def update_data(cls, collection, id, update):
            return InMemoryDatabase().update_record(collection, {"_id": id}, update)

        def validate_fields(self, body, slug):
            return None

        def validate_roles(self, user, roles):
            return None

        def get_plugin_settings(self):
            doc = InMemoryDatabase().get_record("system", {"name": "plugins_settings"}) or {}
            return (doc.get("data") or {}).get(self.slug)

        def set_plugin_settings(self, settings):
            InMemoryDatabase().update_record("system", {"name": "plugins_settings"}, {"$set": {"data.%s" % self.slug: settings}})

        def save_temp_file(self, file, filename):
            return os.path.join(SPEC.get("task_dir") or "/tmp", filename)

        @classmethod
        def clear_cache(cls):
            emit("call", method="clear_cache", args=[], kwargs={}, returned=None)

        def get_image(self):
            pass

        def get_settings(self):
            pass

    install_module("app.utils.PluginClass", new_module("app.utils.PluginClass", PluginClass=PluginClass))
    utils.PluginClass = sys.modules["app.utils.PluginClass"]
    if not module_available("flask"):
        class _Request(object):
            def get_json(self, *a, **k):
                return SPEC.get("body")
        install_module("flask", new_module("flask", Blueprint=Blueprint, request=_Request(),
                                           jsonify=lambda *a, **k: (a[0] if a else k), send_file=Stub, Response=Stub))
    if not module_available("flask_jwt_extended"):
        install_module("flask_jwt_extended", new_module(
            "flask_jwt_extended", jwt_required=lambda *a, **k: (lambda f: f),
            get_jwt_identity=lambda: SPEC.get("user"), current_user=SPEC.get("user")))
    if not module_available("dotenv"):
        install_module("dotenv", new_module("dotenv", load_dotenv=lambda *a, **k: False))
    if not module_available("bson"):
        class ObjectId(str):
            def __new__(cls, v=None):
                return str.__new__(cls, v or "%024x" % int(time.time() * 1000))
        install_module("bson", new_module("bson", __path__=[], ObjectId=ObjectId))
        install_module("bson.objectid", new_module("bson.objectid", ObjectId=ObjectId))
    # Celery: tasks run inline (also .delay()), with the soft time limit as an exception.
    install_module("celery", new_module("celery", __path__=[], shared_task=shared_task, Celery=Stub))
    install_module("celery.exceptions", new_module("celery.exceptions", SoftTimeLimitExceeded=SoftTimeLimitExceeded))


def _soft_limit(signum, frame):
    raise SoftTimeLimitExceeded()


def archihub_body(spec, extra):
    plugin_dir = os.path.abspath(spec["plugin_dir"])
    slug = os.path.basename(plugin_dir.rstrip(os.sep))
    install_archihub_standins(os.path.dirname(plugin_dir))
    records = spec.get("records") or {}
    InMemoryDatabase.store = {k: copy.deepcopy(v) for k, v in records.items() if isinstance(v, list)}
    signal.signal(signal.SIGUSR2, _soft_limit)

    PHASES.set("import")
    module = importlib.import_module("app.plugins.%s" % slug)
    info = getattr(module, "plugin_info", None)
    if not isinstance(info, dict):
        raise TypeError("plugin_info must be a dictionary (ArchiHub skips the plugin: plugin_info not found)")
    cls = getattr(module, "ExtendedPluginClass", None)
    if cls is None:
        raise AttributeError("module app.plugins.%s has no ExtendedPluginClass" % slug)
    plugin = cls("app.plugins.%s" % slug, "app", **info)
    plugin.add_routes()
    extra["routes"] = getattr(plugin, "routes", [])
    task_name = spec.get("task") or "bulk"
    task = getattr(cls, task_name, None)
    if task is None:
        raise AttributeError("ExtendedPluginClass has no task %r" % task_name)
    emit("entry", event=task_name, handler="ExtendedPluginClass.%s" % task_name)
    PHASES.set("imported")
    PHASES.set("call")
    try:
        return task(spec.get("body") or {}, spec.get("user") or "admin")
    finally:
        extra["record_updates"] = InMemoryDatabase.changes


run_harness(archihub_body)
