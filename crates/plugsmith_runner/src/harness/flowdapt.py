# plugsmith runner harness: Flowdapt (platforms.md 4.2-4.4).
import asyncio
import inspect


class WorkflowRunContext(object):
    def __init__(self, input, namespace="default", executor="local", run=None, definition=None, config=None):
        self.input = input
        self.namespace = namespace
        self.executor = executor
        self.run = run
        self.definition = definition
        self.config = config


_CURRENT = []


def get_run_context():
    if not _CURRENT:
        raise RuntimeError("No active WorkflowRunContext")
    return _CURRENT[-1]


class ObjectStore(object):
    def __init__(self):
        self.data = {}

    def _rec(self, op, ret, *args):
        emit("call", method="object_store.%s" % op, args=jsonable(list(args)), kwargs={}, returned=jsonable(ret) if op != "get" else "<value>")
        return ret

    def put(self, key, value, namespace="default", **kw):
        self.data[(namespace, key)] = value
        return self._rec("put", None, key, namespace)

    def get(self, key, namespace="default", **kw):
        if (namespace, key) not in self.data:
            self._rec("get", None, key, namespace)
            raise KeyError(key)
        return self._rec("get", self.data[(namespace, key)], key, namespace)

    def exists(self, key, namespace="default", **kw):
        return self._rec("exists", (namespace, key) in self.data, key, namespace)

    def delete(self, key, namespace="default", **kw):
        self.data.pop((namespace, key), None)
        return self._rec("delete", None, key, namespace)


def install_flowdapt_standins():
    store = ObjectStore()
    if module_available("flowdapt"):
        try:
            ctxmod = importlib.import_module("flowdapt.compute.resources.workflow.context")
            ctxmod.get_run_context = get_run_context
            return "installed (get_run_context patched)"
        except Exception as e:
            warn("flowdapt is installed but its run context could not be patched: %r" % (e,))
            return "installed"
    names = ["flowdapt", "flowdapt.compute", "flowdapt.compute.resources", "flowdapt.compute.resources.workflow",
             "flowdapt.lib", "flowdapt.lib.logger"]
    for n in names:
        install_module(n, new_module(n, __path__=[]))
    install_module("flowdapt.compute.resources.workflow.context", new_module(
        "flowdapt.compute.resources.workflow.context", get_run_context=get_run_context,
        WorkflowRunContext=WorkflowRunContext))
    os_mod = new_module("flowdapt.compute.object_store", __path__=[], put=store.put, get=store.get,
                        exists=store.exists, delete=store.delete)
    install_module("flowdapt.compute.object_store", os_mod)
    sys.modules["flowdapt.lib.logger"].get_logger = lambda name=None, **kw: logging.getLogger(name or "flowdapt")
    return "stand-in"


def import_from_string(path):
    """flowdapt.lib.utils.misc.import_from_string: one attribute level, import + reload."""
    path = path.replace(" ", "")
    if "." not in path:
        raise ImportError("Import string \"%s\" isn't a valid module path" % path)
    module_path, attr = path.rsplit(".", 1)
    module = importlib.import_module(module_path)
    module = importlib.reload(module)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ImportError("Module \"%s\" does not have a `%s` attribute" % (module_path, attr))


def order_stages(stages):
    by_name = {}
    for s in stages:  # a duplicate name silently overwrites the earlier stage
        by_name[s["name"]] = s
    deps = {n: [d for d in (s.get("depends_on") or []) if d != n] for n, s in by_name.items()}
    for n, ds in deps.items():
        for d in ds:
            if d not in by_name:
                raise AssertionError("Problematic stage dependency")
    order, done = [], set()
    while len(order) < len(by_name):
        ready = [n for n in by_name if n not in done and all(d in done for d in deps[n])]
        if not ready:
            raise AssertionError("Problematic stage dependency")
        for n in ready:
            order.append(n)
            done.add(n)
    return [by_name[n] for n in order], deps


def _call(fn, args, kwargs):
    r = fn(*args, **kwargs)
    if inspect.iscoroutine(r):
        r = asyncio.run(r)
    return r


def flowdapt_body(spec, extra):
    root = spec["plugin_root"]
    for p in (os.path.join(root, "src"), root):
        if os.path.isdir(p):
            add_path(p)
    extra["flowdapt"] = install_flowdapt_standins()
    inp = spec.get("input") or {}
    workflow = spec.get("workflow") or {}
    if spec.get("target"):
        stages = [{"name": spec["target"].rsplit(".", 1)[-1], "target": spec["target"]}]
    else:
        stages = ((workflow.get("spec") or {}).get("stages")) or []
        if not stages:
            raise ValueError("the workflow has no spec.stages")
    for s in stages:
        for key in ("name", "target"):
            if not s.get(key):
                raise ValueError("stage %r: field `%s` is required" % (s.get("name"), key))
    ordered, deps = order_stages(stages)
    only = spec.get("only_stage")
    if only:
        if only not in deps:
            raise KeyError("no stage named %r in the workflow" % only)
        need, todo = set(), [only]
        while todo:
            n = todo.pop()
            if n not in need:
                need.add(n)
                todo.extend(deps[n])
        ordered = [s for s in ordered if s["name"] in need]

    PHASES.set("import")
    funcs = {}
    for s in ordered:
        fn = import_from_string(s["target"])
        params = list(inspect.signature(fn).parameters)
        if "context" in params:
            raise ValueError("Stage `%s` cannot have the following parameters: ['context']" % s["name"])
        funcs[s["name"]] = (fn, params)
    PHASES.set("imported")
    meta = workflow.get("metadata") or {}
    ctx = WorkflowRunContext(input=inp, namespace="default", executor="local",
                             run={"name": "plugsmith-run", "workflow": meta.get("name")},
                             definition=workflow, config=spec.get("config") or {})
    _CURRENT.append(ctx)
    emit("entry", event=meta.get("name") or ordered[-1]["name"], handler=" -> ".join(s["name"] for s in ordered))
    PHASES.set("call")
    results, timings = {}, []
    last = None
    for s in ordered:
        name = s["name"]
        fn, params = funcs[name]
        ds = deps[name]
        if ds:
            if not params:
                raise TypeError("Stage `%s` takes no arguments but depends on previous stage" % name)
            args, kwargs = [results[d] for d in ds], {}
        else:
            args = []
            kwargs = {k: v for k, v in inp.items() if k in params} if not any(
                inspect.signature(fn).parameters[p].kind == inspect.Parameter.VAR_KEYWORD for p in params) else dict(inp)
        t0 = time.perf_counter()
        if s.get("type") == "parameterized":
            map_on = (s.get("options") or {}).get("map_on")
            if map_on:
                items = inp.get(map_on) or []
                out = [_call(fn, [x], {}) for x in items]
            else:
                items = args[0] if args else next(iter(kwargs.values()), [])
                out = [_call(fn, [x] + list(args[1:]), {}) for x in items]
        else:
            out = _call(fn, args, kwargs)
        timings.append({"stage": name, "ms": round((time.perf_counter() - t0) * 1000, 3)})
        results[name] = out
        last = out
        logging.getLogger("flowdapt").info("stage %s finished", name)
    extra["stages"] = timings
    extra["stage_results"] = {k: jsonable(v) for k, v in results.items()}
    return last


run_harness(flowdapt_body)
