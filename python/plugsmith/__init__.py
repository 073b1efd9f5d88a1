"""plugsmith: check and run plugins for Kili, Panoptes, Supervisely, Flowdapt and ArchiHub.

>>> import plugsmith
>>> for d in plugsmith.check(["my_plugin/"]):
...     print(d)                                   # main.py:7:5: KIL005 `async def on_submit`: ...
>>> report = plugsmith.run("my_plugin/", event="submit", label={"jsonResponse": {}})
>>> report.status, report.durations.total_ms, report.memory.peak_bytes, report.calls

The work is done in Rust (``plugsmith._plugsmith``) with the GIL released. The ``plugsmith``
command (CLI and language server) is installed with the package; ``python -m plugsmith`` runs it
too. Plugin authors get the ``plugsmith_run`` pytest fixture (``plugsmith.pytest_plugin``).
"""

from plugsmith._plugsmith import (
    ConfigError,
    Diagnostic,
    Durations,
    Frame,
    Limits,
    Memory,
    PlugsmithError,
    RunException,
    RunnerError,
    RunReport,
    __version__,
    check,
    run,
)

__all__ = [
    "ConfigError",
    "Diagnostic",
    "Durations",
    "Frame",
    "Limits",
    "Memory",
    "PlugsmithError",
    "RunException",
    "RunReport",
    "RunnerError",
    "__version__",
    "check",
    "find_plugsmith_bin",
    "run",
]


def find_plugsmith_bin() -> str:
    """The path of the native ``plugsmith`` CLI shipped in this package."""
    from plugsmith.__main__ import find_plugsmith_bin as find

    return find()
