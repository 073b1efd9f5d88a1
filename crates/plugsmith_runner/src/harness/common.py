# plugsmith runner harness: shared part (prepended to every platform harness).
# Runs inside the plugin's own interpreter. Messages to the runner travel as JSON lines on the
# result pipe (fd 3 at start, moved to a private non-inheritable fd at once), never on stdout.
import os
import sys
import json
import time
import types
import signal
import logging
import threading
import traceback
import faulthandler
import importlib
import importlib.abc
import importlib.machinery
import importlib.util

# When imported from the runner's harness cache, do not leave that folder on sys.path.
if __name__ != "__main__":
    try:
        sys.path.remove(os.path.dirname(os.path.abspath(__file__)))
    except ValueError:
        pass

_HARNESS_FILE = os.path.abspath(__file__)
_out_lock = threading.Lock()
try:
    _out_fd = os.dup(3)  # non-inheritable: plugin subprocesses do not hold the pipe
    os.close(3)
    _out = os.fdopen(_out_fd, "w", buffering=1, encoding="utf-8")
except OSError:
    _out = None

SPEC = {}
PLUGIN_ROOT = ""
_MAX_STR = 20000
_MAX_ITEMS = 500


def emit(kind, **fields):
    fields["kind"] = kind
    if _out is None:
        return
    try:
        line = json.dumps(fields, default=repr, ensure_ascii=False)
    except Exception as e:  # never let reporting break the run
        line = json.dumps({"kind": kind, "unserialisable": repr(e)})
    with _out_lock:
        try:
            _out.write(line + "\n")
            _out.flush()
        except Exception:
            pass


def warn(message):
    emit("warning", message=message)


def jsonable(obj, depth=0):
    """A JSON-safe rendering of a plugin value (bounded)."""
    if depth > 12:
        return repr(obj)[:200]
    if obj is None or isinstance(obj, (bool, int)):
        return obj
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else repr(obj)
    if isinstance(obj, str):
        return obj if len(obj) <= _MAX_STR else obj[:_MAX_STR] + "...[truncated]"
    if isinstance(obj, bytes):
        return {"__bytes__": len(obj)}
    if isinstance(obj, dict):
        out = {}
        for i, (k, v) in enumerate(obj.items()):
            if i >= _MAX_ITEMS:
                out["..."] = "%d more" % (len(obj) - _MAX_ITEMS)
                break
            out[str(k)] = jsonable(v, depth + 1)
        return out
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj)
        out = [jsonable(v, depth + 1) for v in items[:_MAX_ITEMS]]
        if len(items) > _MAX_ITEMS:
            out.append("...%d more" % (len(items) - _MAX_ITEMS))
        return out
    dump = getattr(obj, "model_dump", None) or getattr(obj, "plugsmith_json", None)
    if callable(dump):
        try:
            return jsonable(dump(), depth + 1)
        except Exception:
            pass
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        d = {"__type__": type(obj).__name__}
        for k, v in list(vars(obj).items())[:_MAX_ITEMS]:
            if not k.startswith("_"):
                d[k] = jsonable(v, depth + 1)
        return d
    return repr(obj)[:_MAX_STR]


def _in_plugin(filename):
    try:
        f = os.path.realpath(filename)
    except Exception:
        return False
    return bool(PLUGIN_ROOT) and (f == PLUGIN_ROOT or f.startswith(PLUGIN_ROOT.rstrip(os.sep) + os.sep))


def _strip_harness(te):
    while te is not None:
        te.stack[:] = [fs for fs in te.stack if os.path.abspath(fs.filename) != _HARNESS_FILE]
        nxt = te.__cause__ or te.__context__
        te = nxt


def describe_exception(exc, phase):
    te = traceback.TracebackException.from_exception(exc)
    _strip_harness(te)
    frames = []
    for fs in te.stack:
        frames.append(
            {
                "file": fs.filename,
                "line": fs.lineno,
                "function": fs.name,
                "code": fs.line,
                "in_plugin": _in_plugin(fs.filename),
            }
        )
    # SyntaxError: the location is the offending file and line, not a frame.
    if isinstance(exc, SyntaxError) and exc.filename:
        frames.append(
            {
                "file": exc.filename,
                "line": exc.lineno,
                "function": "<module>",
                "code": (exc.text or "").rstrip(),
                "in_plugin": _in_plugin(exc.filename),
            }
        )
    try:
        msg = str(exc)
    except Exception:
        msg = "<unprintable>"
    return {
        "type": type(exc).__qualname__,
        "module": type(exc).__module__,
        "message": msg,
        "traceback": "".join(te.format()),
        "frames": frames,
        "phase": phase,
    }


class _PipeLogHandler(logging.Handler):
    def emit(self, record):
        try:
            msg = record.getMessage()
        except Exception as e:
            msg = "<log formatting failed: %r>" % (e,)
        if record.exc_info:
            msg += "\n" + "".join(traceback.format_exception(*record.exc_info))
        emit(
            "log",
            level=record.levelname,
            logger=record.name,
            message=msg,
            file=record.pathname,
            line=record.lineno,
        )


def setup_logging():
    h = _PipeLogHandler()
    h.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(h)
    if root.level > logging.INFO:
        root.setLevel(logging.INFO)


def setup_signals():
    stack_file = SPEC.get("stack_file")
    if stack_file:
        try:
            f = open(stack_file, "w")
            # Fatal signals (SIGSEGV...) and the runner's "about to kill you" signal.
            faulthandler.enable(file=f, all_threads=True)
            faulthandler.register(signal.SIGUSR1, file=f, all_threads=True)
            setup_signals._file = f  # keep it open
        except Exception as e:
            warn("stack dumps unavailable: %r" % (e,))


def load_json_input(key, default=None):
    v = SPEC.get(key)
    return default if v is None else v


def add_path(p):
    if p and p not in sys.path:
        sys.path.insert(0, p)


def install_module(name, module):
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    return module


def new_module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    return m


def module_available(name):
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:
        return False


def load_file_module(name, path, package_dir=None):
    """Imports `path` as module `name`; with package_dir, as a package (relative imports work)."""
    if package_dir is not None:
        spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=[package_dir])
    else:
        spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import %s" % path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def make_package(name, directory):
    """A package `name` whose __path__ is `directory` (runs its __init__.py when present)."""
    init = os.path.join(directory, "__init__.py")
    if os.path.isfile(init):
        return load_file_module(name, init, package_dir=directory)
    pkg = types.ModuleType(name)
    pkg.__path__ = [directory]
    pkg.__file__ = None
    pkg.__package__ = name
    sys.modules[name] = pkg
    return pkg


class Phases:
    def __init__(self):
        self.phase = "startup"

    def set(self, phase):
        self.phase = phase
        emit("phase", phase=phase)


PHASES = Phases()


def finish(ok, ret=None, exc=None, extra=None):
    r = {
        "status": "ok" if ok else "handler_error",
        "python": {"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3]},
    }
    if ok:
        r["return"] = jsonable(ret)
    else:
        r["exception"] = describe_exception(exc, PHASES.phase)
    if extra:
        r["extra"] = jsonable(extra)
    emit("result", **r)


def run_harness(body, hard_exit=True):
    """Runs body(); reports exactly one result message. With hard_exit the process ends when
    the handler returns, as a production run does (threads the plugin left are not awaited)."""
    global SPEC, PLUGIN_ROOT
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            SPEC = json.load(f)
    except Exception as e:
        emit("result", status="runner_error", message="harness could not read its spec: %r" % (e,))
        return
    PLUGIN_ROOT = os.path.realpath(SPEC.get("plugin_root") or "")
    setup_signals()
    setup_logging()
    emit("phase", phase="started")
    extra = {}
    try:
        ret = body(SPEC, extra)
    except BaseException as e:  # SystemExit, KeyboardInterrupt, MemoryError included
        if isinstance(e, SystemExit) and e.code in (None, 0) and extra.get("system_exit_ok"):
            finish(True, None, extra=extra)
        else:
            finish(False, exc=e, extra=extra)
    else:
        finish(True, ret, extra=extra)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    if hard_exit:
        os._exit(0)
