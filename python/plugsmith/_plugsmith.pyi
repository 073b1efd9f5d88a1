"""Type stubs of the native module ``plugsmith._plugsmith`` (crates/plugsmith_python)."""

import os
from collections.abc import Iterable
from typing import Any, Literal, Optional, Union

_Path = Union[str, "os.PathLike[str]"]
_Json = Any
_JsonInput = Union[_Path, dict[str, Any], list[Any]]
_Limit = Union[str, int, float]

__version__: str

class PlugsmithError(Exception):
    """Base class of plugsmith's errors; raised as such when a path or file cannot be read.

    When raised by ``check``, ``errors`` lists ``(path, reason)`` pairs and ``diagnostics`` what
    was found in the rest.
    """

    errors: list[tuple[str, str]]
    diagnostics: list[Diagnostic]

class ConfigError(PlugsmithError):
    """plugsmith.toml / [tool.plugsmith] is invalid, or a rule selector is unknown."""

class RunnerError(PlugsmithError):
    """The runner could not run the plugin; ``report`` is the (``runner_error``) report."""

    report: RunReport

class Diagnostic:
    """One finding. Lines and columns are 1-based; columns count characters."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> Literal["error", "warning", "info"]: ...
    @property
    def message(self) -> str: ...
    @property
    def path(self) -> str:
        """Absolute path of the file."""
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def end_column(self) -> int: ...
    @property
    def url(self) -> str:
        """The rule's documentation."""
    @property
    def fix(self) -> Optional[str]:
        """The title of the fix an editor offers, or None."""
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...

def check(
    paths: Union[_Path, Iterable[_Path], None] = None,
    select: Union[str, Iterable[str], None] = None,
    ignore: Union[str, Iterable[str], None] = None,
    config: Optional[_Path] = None,
) -> list[Diagnostic]:
    """Checks the plugins under ``paths`` (the working folder when None), as ``plugsmith check``.

    ``select``/``ignore``: rule codes or prefixes (a list, or one string, commas allowed), on
    top of the nearest plugsmith.toml / pyproject.toml ``[tool.plugsmith]`` (or ``config``).

    Raises ``ConfigError`` for an invalid configuration or selector, ``PlugsmithError`` when a
    path or file cannot be read.
    """

class Durations:
    """Milliseconds."""

    @property
    def total_ms(self) -> float: ...
    @property
    def startup_ms(self) -> Optional[float]: ...
    @property
    def import_ms(self) -> Optional[float]: ...
    @property
    def call_ms(self) -> Optional[float]: ...
    @property
    def install_ms(self) -> Optional[float]: ...

class Memory:
    @property
    def limit_bytes(self) -> Optional[int]: ...
    @property
    def peak_bytes(self) -> Optional[int]: ...
    @property
    def peak_rss_main_bytes(self) -> Optional[int]: ...
    @property
    def oom_kills(self) -> int: ...
    @property
    def backend(self) -> str:
        """``cgroup-v2``, ``cgroup-v1`` or ``rlimit``."""
    @property
    def enforcement(self) -> str: ...
    @property
    def approximate(self) -> bool: ...

class Limits:
    @property
    def timeout_s(self) -> Optional[float]: ...
    @property
    def soft_timeout_s(self) -> Optional[float]: ...
    @property
    def profile(self) -> str: ...

class Frame:
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> Optional[int]: ...
    @property
    def function(self) -> str: ...
    @property
    def code(self) -> Optional[str]: ...
    @property
    def in_plugin(self) -> bool: ...

class RunException:
    """The exception the plugin raised (data, not raised)."""

    @property
    def type(self) -> str: ...
    @property
    def module(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def traceback(self) -> str: ...
    @property
    def frames(self) -> list[Frame]: ...
    @property
    def location(self) -> Optional[Frame]: ...
    @property
    def phase(self) -> Literal["import", "call"]: ...

_Status = Literal[
    "ok", "handler_error", "timeout", "memory_limit_exceeded", "crashed", "runner_error", "cancelled"
]

class RunReport:
    """What happened when a plugin ran. ``str(report)`` is the text of ``plugsmith run``."""

    @property
    def status(self) -> _Status: ...
    @property
    def ok(self) -> bool: ...
    @property
    def message(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def plugin(self) -> str: ...
    @property
    def entry(self) -> str: ...
    @property
    def handler(self) -> Optional[str]: ...
    @property
    def durations(self) -> Durations: ...
    @property
    def limits(self) -> Limits: ...
    @property
    def memory(self) -> Memory: ...
    @property
    def exit_code(self) -> Optional[int]: ...
    @property
    def exit_signal(self) -> Optional[int]: ...
    @property
    def return_value(self) -> _Json: ...
    @property
    def exception(self) -> Optional[RunException]: ...
    @property
    def calls(self) -> list[dict[str, Any]]: ...
    @property
    def calls_truncated(self) -> bool: ...
    @property
    def logs(self) -> list[dict[str, Any]]: ...
    @property
    def logs_truncated(self) -> bool: ...
    @property
    def stdout(self) -> str: ...
    @property
    def stderr(self) -> str: ...
    @property
    def stdout_truncated(self) -> bool: ...
    @property
    def stderr_truncated(self) -> bool: ...
    @property
    def stack_dump(self) -> Optional[str]: ...
    @property
    def details(self) -> _Json: ...
    @property
    def warnings(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``plugsmith run --output-format json``."""
    def to_json(self) -> str: ...
    def __bool__(self) -> bool: ...

def run(
    path: _Path,
    *,
    platform: Optional[Literal["kili", "panoptes", "supervisely", "flowdapt", "archihub"]] = None,
    event: Optional[str] = None,
    label: Optional[_JsonInput] = None,
    asset_id: Optional[str] = None,
    project_id: Optional[str] = None,
    payload: Optional[_JsonInput] = None,
    responses: Optional[_JsonInput] = None,
    resource: Optional[_JsonInput] = None,
    records: Optional[_JsonInput] = None,
    body: Optional[_JsonInput] = None,
    user: Optional[str] = None,
    target: Optional[str] = None,
    workflow: Optional[_Path] = None,
    input: Optional[_JsonInput] = None,
    config: Optional[_JsonInput] = None,
    memory: Optional[_Limit] = None,
    timeout: Optional[_Limit] = None,
    soft_timeout: Optional[_Limit] = None,
    python: Optional[_Path] = None,
    no_install: bool = False,
    installer: Optional[Literal["auto", "uv", "pip"]] = None,
    cache_dir: Optional[_Path] = None,
    limits_backend: Optional[Literal["auto", "cgroup-v2", "cgroup-v1", "rlimit"]] = None,
    max_output: Optional[int] = None,
) -> RunReport:
    """Runs a plugin under its platform's production limits, as ``plugsmith run``.

    JSON inputs take a path or the value itself; ``memory`` an int is bytes, ``timeout`` a
    number is seconds, ``"none"`` lifts a limit. Raises ``RunnerError`` when the runner could
    not run the plugin (a plugin that fails, times out or runs out of memory is a report).
    Ctrl-C cancels the run (the plugin's whole process tree is stopped) and re-raises
    ``KeyboardInterrupt`` with the ``cancelled`` report as ``e.report``.
    """
