# plugsmith runner harness: Supervisely legacy plugins (platforms.md 3.1, 3.3).
# The agent runs `python -u /workdir/src/<mode>.py` in a fresh container with the task dir at
# /sly_task_data; here the task dir is a temporary folder laid out the same way.
import runpy


def layout_task_dir(task_dir, config):
    for sub in ("data", "results", "model", "logs", "tmp"):
        os.makedirs(os.path.join(task_dir, sub), exist_ok=True)
    for name in ("task_config.json", "task_settings.json"):
        with open(os.path.join(task_dir, name), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)


def patch_supervisely_paths(task_dir):
    """supervisely_lib hard-codes /sly_task_data; point its defaults at the local task dir."""
    try:
        paths = importlib.import_module("supervisely_lib.task.paths")
    except Exception:
        return False
    changed = False
    for name, value in list(vars(paths).items()):
        if isinstance(value, str) and value.startswith("/sly_task_data"):
            setattr(paths, name, task_dir + value[len("/sly_task_data"):])
            changed = True
        init = getattr(value, "__init__", None)
        defaults = getattr(init, "__defaults__", None)
        if isinstance(value, type) and defaults:
            init.__defaults__ = tuple(task_dir + d[len("/sly_task_data"):] if isinstance(d, str) and d.startswith("/sly_task_data") else d
                                      for d in defaults)
            changed = True
    return changed


def supervisely_body(spec, extra):
    root = spec["plugin_root"]
    script = spec["script"]
    task_dir = spec["task_dir"]
    layout_task_dir(task_dir, spec.get("config") or {})
    os.environ["SLY_TASK_DATA"] = task_dir
    os.environ.setdefault("HOST_TASK_DIR", task_dir)
    for p in (os.path.join(root, "supervisely_lib", "worker_proto"), os.path.join(root, "src"), root):
        add_path(p)
    extra["task_dir"] = task_dir
    extra["supervisely_lib_patched"] = patch_supervisely_paths(task_dir)
    extra["system_exit_ok"] = True
    emit("entry", event=os.path.splitext(os.path.basename(script))[0], handler="python -u src/%s" % os.path.basename(script))
    PHASES.set("imported")
    PHASES.set("call")
    sys.argv = [script]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        res = os.path.join(task_dir, "results")
        extra["results"] = sorted(os.path.relpath(os.path.join(d, f), res)
                                  for d, _, fs in os.walk(res) for f in fs)[:200]


run_harness(supervisely_body, hard_exit=False)
