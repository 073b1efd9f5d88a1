# plugsmith runner harness: Kili (platforms.md 1.2, 1.3, 1.6).
# fnmatch, inspect and typing are imported where needed: a legacy handler call never pays them.

LEGACY = {
    "submit": "on_submit",
    "review": "on_review",
    "custom_interface_click": "on_custom_interface_click",
    "send_back_to_queue": "on_send_back_to_queue",
    "project_updated": "on_project_updated",
}

QUERY_METHODS = {
    "assets", "labels", "projects", "issues", "users", "organizations", "project_users",
    "plugins", "notifications", "cloud_storage_connections", "cloud_storage_integrations",
    "predictions", "inferences", "project_version", "project_versions", "tags",
    "get_tags_of_project", "list_plugins", "comments", "get_plugin_logs",
}

_EVENT_MARK = "__plugsmith_kili_event__"


class KiliApiError(Exception):
    """Raised by the fake client for a canned `{"__raise__": ...}` response."""


class FakeKili:
    """Records every call made on the client (also nested: kili.graphql_client.execute)."""

    def __init__(self, responses, path=()):
        object.__setattr__(self, "_responses", responses)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_counts", {})

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return FakeKili(self._responses, self._path + (name,))

    def __repr__(self):
        return "<fake Kili client%s>" % ("." + ".".join(self._path) if self._path else "")

    def __call__(self, *args, **kwargs):
        method = ".".join(self._path) or "__call__"
        counts = self._responses.setdefault("__counts__", {})
        n = counts.get(method, 0)
        counts[method] = n + 1
        if method in self._responses:
            canned = self._responses[method]
            if isinstance(canned, dict) and "__sequence__" in canned:
                seq = canned["__sequence__"] or [None]
                canned = seq[min(n, len(seq) - 1)]
            if isinstance(canned, dict) and "__raise__" in canned:
                emit("call", method=method, args=jsonable(list(args)), kwargs=jsonable(kwargs),
                     raised=str(canned["__raise__"]))
                raise KiliApiError(str(canned["__raise__"]))
            ret = canned
        elif method.split(".")[-1].startswith("count_"):
            ret = 0
        elif method.split(".")[-1] in QUERY_METHODS:
            ret = []
        else:
            ret = None
        emit("call", method=method, args=jsonable(list(args)), kwargs=jsonable(kwargs),
             returned=jsonable(ret))
        return ret


# ---- kili_events stand-in (when the package is not installed) ---------------------------------

class _Obj(dict):
    """Event payload: item access and attribute access (camelCase or snake_case)."""

    def __getattr__(self, name):
        if name in self:
            return _wrap(self[name])
        camel = "".join(p if i == 0 else p[:1].upper() + p[1:] for i, p in enumerate(name.split("_")))
        if camel in self:
            return _wrap(self[camel])
        raise AttributeError(name)


def _wrap(v):
    if isinstance(v, dict) and not isinstance(v, _Obj):
        return _Obj(v)
    if isinstance(v, list):
        return [_wrap(x) for x in v]
    return v


class KiliEventBase:
    """Stand-in for the kili_events pydantic models: fields event, organization_id,
    project_id, user_id, payload (camelCase names work too)."""

    subject = None
    pattern = None

    def __init__(self, **data):
        self._data = dict(data)
        self.event = data.get("event")
        self.organization_id = data.get("organizationId", data.get("organization_id"))
        self.project_id = data.get("projectId", data.get("project_id"))
        self.user_id = data.get("userId", data.get("user_id"))
        self.payload = _wrap(data.get("payload") or {})

    def __getattr__(self, name):
        d = self.__dict__.get("_data", {})
        if name in d:
            return _wrap(d[name])
        raise AttributeError(name)

    def model_dump(self):
        return dict(self._data)

    def __repr__(self):
        return "%s(event=%r)" % (type(self).__name__, self.event)


def build_kili_events_standin(catalog, mod=None):
    import fnmatch
    mod = mod or new_module("kili_events")
    mod.__doc__ = "plugsmith stand-in for kili_events (the package is not installed)"
    families = {}
    # Broad families first so narrower ones can subclass them.
    for name, info in sorted(catalog.get("families", {}).items(), key=lambda kv: kv[1]["pattern"].count(".")):
        pat = info["pattern"]
        bases = tuple(families[n] for n, i in catalog["families"].items()
                      if n in families and pat != i["pattern"] and fnmatch.fnmatchcase(pat, i["pattern"]))
        bases = tuple(b for b in bases if not any(o is not b and issubclass(o, b) for o in bases))
        cls = type(name, bases or (KiliEventBase,), {"pattern": pat, "reaches_plugins": info.get("reaches_plugins", True)})
        families[name] = cls
    models = {}
    for name, info in catalog.get("models", {}).items():
        subj = info["subject"]
        bases = tuple(c for c in families.values() if fnmatch.fnmatchcase(subj, c.pattern))
        # keep only the most specific bases (MRO-consistent)
        bases = tuple(b for b in bases if not any(o is not b and issubclass(o, b) for o in bases))
        cls = type(name, bases or (KiliEventBase,), {"subject": subj, "reaches_plugins": info.get("reaches_plugins", True)})
        models[name] = cls
    any_event = type("AnyEvent", (KiliEventBase,), {"pattern": "*"})
    mod.__dict__.update(families)
    mod.__dict__.update(models)
    mod.AnyEvent = any_event
    mod.KiliEventBase = KiliEventBase
    mod.EVENT_MODELS = {c.subject: c for c in models.values()}
    mod.FAMILY_PATTERNS = {c: c.pattern for c in families.values()}
    mod.__all__ = sorted(list(families) + list(models) + ["AnyEvent"])
    return mod


def on_kili_event(fn):
    setattr(fn, _EVENT_MARK, True)
    return fn


def decorated_methods(cls):
    out = []
    for name in dir(cls):
        fn = getattr(cls, name, None)
        if callable(fn) and getattr(fn, _EVENT_MARK, False):
            out.append(name)
    return out


def _annotation_classes(fn, module_globals):
    import inspect
    import typing
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values()][1:]
    if not params:
        return []
    ann = params[0].annotation
    try:
        hints = typing.get_type_hints(fn, globalns=module_globals)
        ann = hints.get(params[0].name, ann)
    except Exception:
        if isinstance(ann, str):
            try:
                ann = eval(ann, module_globals)
            except Exception:
                return []
    out = []

    def walk(a):
        args = typing.get_args(a)
        if args and (typing.get_origin(a) is typing.Union or type(a).__name__ == "UnionType"):
            for x in args:
                walk(x)
        elif isinstance(a, type):
            out.append(a)

    walk(ann)
    return out


def dispatch_standin(plugin, envelope, events_mod, module_globals):
    events_mod = events_mod or importlib.import_module("kili_events")
    """What PluginCore.on_event does: parse the event into its model, call every decorated
    method whose annotation matches, each even when another fails; then fail with the first."""
    subject = envelope.get("event")
    model = events_mod.EVENT_MODELS.get(subject)
    if model is None:
        warn("%r is not a kili_events subject; delivered as a generic event" % (subject,))
        model = type("UnknownEvent", (KiliEventBase,), {"subject": subject})
    elif not getattr(model, "reaches_plugins", True):
        warn("Kili never sends %s (%s) to plugins" % (model.__name__, subject))
    event = model(**envelope)
    called, errors = [], []
    for name in decorated_methods(type(plugin)):
        bound = getattr(plugin, name)
        classes = _annotation_classes(getattr(type(plugin), name), module_globals)
        if not any(c.__name__ == "AnyEvent" or isinstance(event, c) for c in classes):
            continue
        called.append(name)
        try:
            bound(event)
        except Exception as e:  # each method runs even when another fails
            plugin.logger.exception("Error in %s" % name)
            errors.append(e)
    if not called:
        warn("no @on_kili_event method of PluginHandler matches %r" % (subject,))
    if errors:
        raise errors[0]
    return {"methods_called": called}


class _LazyKiliEvents(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Builds the kili_events stand-in only when something imports it."""

    def __init__(self, catalog):
        self.catalog = catalog

    def find_spec(self, fullname, path, target=None):
        if fullname == "kili_events":
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__doc__ = "plugsmith stand-in for kili_events (the package is not installed)"
        build_kili_events_standin(self.catalog, module)


def install_kili_standins():
    import logging as _logging

    class PluginCore:
        """plugsmith stand-in for kili.plugins.PluginCore (kili is not installed)."""

        logger = None

        def __init__(self, kili, project_id, logger=None):
            self.kili = kili
            self.project_id = project_id
            if logger is None:
                logger = _logging.getLogger("kili.services.plugins")
                logger.setLevel(_logging.DEBUG)
            self.logger = logger

        def on_submit(self, label, asset_id):
            self.logger.warning("Method not implemented. Define a custom on_submit on your plugin")

        def on_review(self, label, asset_id):
            self.logger.warning("Method not implemented. Define a custom on_review on your plugin")

        def on_custom_interface_click(self, label, asset_id):
            self.logger.warning("Method not implemented. Define a custom on_custom_interface_click on your plugin")

        def on_project_updated(self, settings_updated):
            self.logger.warning("Method not implemented. Define a custom on_project_updated on your plugin")

        def on_send_back_to_queue(self, asset_id):
            self.logger.warning("Method not implemented. Define a custom on_send_back_to_queue on your plugin")

        def on_event(self, payload):
            return dispatch_standin(self, payload, None, getattr(sys.modules.get(type(self).__module__), "__dict__", {}))

    kili = new_module("kili")
    kili.__path__ = []
    plugins = new_module("kili.plugins", PluginCore=PluginCore, on_kili_event=on_kili_event)
    services = new_module("kili.services")
    services.__path__ = []
    splugins = new_module("kili.services.plugins", PluginCore=PluginCore)
    splugins.__path__ = []
    events = new_module("kili.services.plugins.events", on_kili_event=on_kili_event)
    model = new_module("kili.services.plugins.model", PluginCore=PluginCore)
    client = new_module("kili.client", Kili=lambda *a, **k: FakeKili({}))
    kili.Kili = client.Kili
    for name, m in [("kili", kili), ("kili.plugins", plugins), ("kili.services", services),
                    ("kili.services.plugins", splugins), ("kili.services.plugins.events", events),
                    ("kili.services.plugins.model", model), ("kili.client", client)]:
        install_module(name, m)
    return PluginCore


def load_plugin(spec):
    path = spec["plugin_path"]
    if os.path.isdir(path):
        add_path(path)
        make_package("plugsmith_kili_plugin", path)
        return importlib.import_module("plugsmith_kili_plugin.main")
    add_path(os.path.dirname(path))
    return load_file_module("plugsmith_kili_plugin", path)


def kili_body(spec, extra):
    sdk = "stand-in"
    if module_available("kili_events"):
        events_src = "installed"
    else:
        sys.meta_path.insert(0, _LazyKiliEvents(spec.get("kili_events_catalog") or {}))
        events_src = "stand-in"
    real_sdk = False
    if module_available("kili"):
        try:
            import kili.plugins  # noqa: F401
            real_sdk = hasattr(kili.plugins, "PluginCore")
            sdk = "installed"
        except Exception as e:
            warn("kili is installed but `import kili.plugins` failed (%r); using the stand-in" % (e,))
            for k in [m for m in sys.modules if m == "kili" or m.startswith("kili.")]:
                del sys.modules[k]
    if not real_sdk:
        install_kili_standins()
    extra["sdk"] = sdk
    extra["kili_events"] = events_src

    PHASES.set("import")
    module = load_plugin(spec)
    handler_cls = getattr(module, "PluginHandler", None)
    if handler_cls is None:
        raise AttributeError("The plugin file has no class PluginHandler (Kili looks for `class PluginHandler(PluginCore)`)")
    responses = spec.get("responses") or {}
    kili = FakeKili(responses)
    project_id = spec.get("project_id") or "plugsmith-project"
    plugin = handler_cls(kili, project_id)
    PHASES.set("imported")

    event = spec.get("event")
    decorated = decorated_methods(handler_cls)
    if not event:
        for name, meth in LEGACY.items():
            if meth in vars(handler_cls) or any(meth in vars(b) for b in handler_cls.__mro__[1:-1] if b.__name__ != "PluginCore"):
                event = name
                break
        else:
            if decorated:
                import fnmatch
                events_mod = importlib.import_module("kili_events")
                classes = _annotation_classes(getattr(handler_cls, decorated[0]), module.__dict__)
                subj = None
                for c in classes:
                    subj = getattr(c, "subject", None)
                    if not subj and getattr(c, "pattern", None):
                        subj = next((m.subject for m in getattr(events_mod, "EVENT_MODELS", {}).values()
                                     if fnmatch.fnmatchcase(m.subject, c.pattern)), None)
                    if subj:
                        break
                event = subj or "asset.skipped"
            else:
                event = "submit"
    extra["event"] = event

    label = spec.get("label") or {}
    asset_id = spec.get("asset_id") or label.get("assetId") or (label.get("asset") or {}).get("id") or "plugsmith-asset"
    PHASES.set("call")
    if event in LEGACY:
        meth = LEGACY[event]
        extra["handler"] = meth
        emit("entry", event=event, handler=meth)
        fn = getattr(plugin, meth)
        if event == "send_back_to_queue":
            return fn(asset_id)
        if event == "project_updated":
            warn("on_project_updated is no longer recognised by the Kili SDK at upload")
            return fn(spec.get("payload") or [])
        return fn(label, asset_id)
    # A Kili event subject: the envelope PluginCore.on_event receives.
    payload = spec.get("payload")
    if isinstance(payload, dict) and "event" in payload and "payload" in payload:
        envelope = dict(payload)
        envelope["event"] = event
    else:
        if payload is None:
            payload = {"assetId": asset_id, "projectId": project_id, "label": label}
        envelope = {
            "event": event,
            "organizationId": "plugsmith-organization",
            "projectId": project_id,
            "userId": "plugsmith-user",
            "payload": payload,
        }
    extra["handler"] = "on_event"
    emit("entry", event=event, handler="on_event")
    if not decorated and "on_event" not in vars(handler_cls):
        raise AttributeError(
            "PluginHandler has no method decorated with @on_kili_event and no on_event: event %r would reach nothing" % event)
    return plugin.on_event(envelope)


run_harness(kili_body)
