"""Differential test: plugsmith's ARC001 against a Python re-implementation of ArchiHub's
plugin-listing evaluator.

ArchiHub lists plugins without importing them (archihub-backend@e7766f5,
``app/api/system/services.py``, ``get_plugin_info_from_file``; ``research/platforms.md`` 5.1):
it parses ``__init__.py`` with ``ast`` and evaluates the module's top-level ``name = <expr>``
statements (``ast.Assign``; annotated and augmented assignments are ignored), in order, with a
tiny evaluator that accepts constants, ``_("…")``/``gettext("…")`` with exactly one positional
argument, names bound by earlier evaluable top-level assignments, lists/tuples (with
``*spread``) and dicts (with ``**spread``). Anything else makes that one assignment unevaluable
(it is skipped). The first evaluable ``plugin_info`` must be a dict; none → "plugin_info not
found". A ``SyntaxError`` is not caught.

``archihub_plugin_info`` below is written from that description (the backend's source is not
copied), with the same decisions plugsmith documents in ``crates/platforms/archihub/src/
evaluator.rs`` where the description is silent: chained assignments bind every plain-name
target; the ``_()`` argument is evaluated like any expression; ``*spread`` takes lists, tuples,
strings, bytes and dicts, ``**spread`` only dicts; an unhashable key makes the assignment
unevaluable.

For every ArchiHub plugin of every ``fixtures/archihub/<case>/`` (and of a set of small
generated cases), the verdicts must agree:
- Python finds a dict          ⇔ plugsmith reports neither ARC001 nor PLG001 on ``__init__.py``;
- Python finds no dict          ⇔ plugsmith reports ARC001 on it;
- Python raises ``SyntaxError`` ⇔ plugsmith reports PLG001 on it.

Setup: ``pip install pytest`` and ``cargo build -p plugsmith``. The binary is
``$PLUGSMITH_BIN`` (default ``target/debug/plugsmith``); the test is skipped when it is missing.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
from pathlib import Path

import pytest

from plugsmith_binary import plugsmith_bin

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "archihub"


# --------------------------------------------------------------------------------------------
# The evaluator (re-implemented from research/platforms.md 5.1).


class Unevaluable(Exception):
    """The assignment uses something the listing's evaluator does not understand."""


def evaluate(node: ast.expr, env: dict[str, object]) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        raise Unevaluable(f"unbound name {node.id}")
    if isinstance(node, ast.Call):
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ("_", "gettext")
            and len(node.args) == 1
            and not node.keywords
            and not isinstance(node.args[0], ast.Starred)
        ):
            return evaluate(node.args[0], env)
        raise Unevaluable("call")
    if isinstance(node, (ast.List, ast.Tuple)):
        items: list[object] = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                spread = evaluate(element.value, env)
                if not isinstance(spread, (list, tuple, str, bytes, dict)):
                    raise Unevaluable("spread of a non-iterable")
                items.extend(spread)
            else:
                items.append(evaluate(element, env))
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict):
        result: dict[object, object] = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                spread = evaluate(value, env)
                if not isinstance(spread, dict):
                    raise Unevaluable("** spread of a non-dict")
                result.update(spread)
                continue
            evaluated_key = evaluate(key, env)
            evaluated_value = evaluate(value, env)
            try:
                hash(evaluated_key)
            except TypeError as error:
                raise Unevaluable("unhashable key") from error
            result[evaluated_key] = evaluated_value
        return result
    raise Unevaluable(type(node).__name__)


def archihub_plugin_info(source: str) -> dict | None:
    """The plugin's info as the listing evaluates it; ``None`` for "plugin_info not found".

    Raises ``SyntaxError`` (the listing does not catch it) and ``ValueError`` when the first
    evaluable ``plugin_info`` is not a dict.
    """
    module = ast.parse(source)
    env: dict[str, object] = {}
    for statement in module.body:
        if not isinstance(statement, ast.Assign):
            continue
        try:
            value = evaluate(statement.value, env)
        except Unevaluable:
            continue
        names = [target.id for target in statement.targets if isinstance(target, ast.Name)]
        for name in names:
            env[name] = value
        if "plugin_info" in names:
            if not isinstance(value, dict):
                raise ValueError("plugin_info must be a dictionary")
            return value
    return None


def verdict(source: str) -> str:
    """``dict``, ``no-dict`` (ARC001) or ``syntax-error`` (PLG001)."""
    try:
        info = archihub_plugin_info(source)
    except SyntaxError:
        return "syntax-error"
    except ValueError:
        return "no-dict"
    return "dict" if info is not None else "no-dict"


# --------------------------------------------------------------------------------------------
# Detection (RULES.md), independent of plugsmith's.


def _assigns_plugin_info(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return target.id == "plugin_info"
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_assigns_plugin_info(element) for element in target.elts)
    return False


def looks_like_archihub(path: Path) -> bool:
    """An ``__init__.py`` that assigns a top-level ``plugin_info`` or defines
    ``class ExtendedPluginClass(PluginClass)``."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if "plugin_info" not in text and "ExtendedPluginClass" not in text:
        return False
    try:
        module = ast.parse(text)
    except SyntaxError:
        # plugsmith detects from the tree-sitter tree; compared through PLG001.
        return True
    for statement in module.body:
        if isinstance(statement, ast.Assign) and any(
            _assigns_plugin_info(target) for target in statement.targets
        ):
            return True
        if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and _assigns_plugin_info(
            statement.target
        ):
            return True
        if isinstance(statement, ast.ClassDef) and statement.name == "ExtendedPluginClass":
            if any(ast.unparse(base).split(".")[-1] == "PluginClass" for base in statement.bases):
                return True
    return False


# --------------------------------------------------------------------------------------------
# plugsmith's side.


def plugsmith_codes(case: Path) -> dict[Path, set[str]]:
    """The codes plugsmith reports, by resolved file path, checking from inside the case."""
    result = subprocess.run(
        [str(plugsmith_bin()), "check", "--output-format", "json", "."],
        cwd=case,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 1), f"plugsmith failed on {case}: {result.stderr}"
    codes: dict[Path, set[str]] = {}
    for item in json.loads(result.stdout or "[]"):
        codes.setdefault((case / item["filename"]).resolve(), set()).add(item["code"])
    return codes


def plugsmith_verdict(codes: set[str]) -> str:
    if "PLG001" in codes:
        return "syntax-error"
    if "ARC001" in codes:
        return "no-dict"
    return "dict"


def compare(case: Path) -> list[str]:
    entries = sorted(
        path.resolve() for path in case.rglob("__init__.py") if looks_like_archihub(path)
    )
    if not entries:
        return []
    codes = plugsmith_codes(case)
    mismatches = []
    for entry in entries:
        expected = verdict(entry.read_text(encoding="utf-8", errors="replace"))
        found = plugsmith_verdict(codes.get(entry, set()))
        if expected != found:
            mismatches.append(
                f"{entry.relative_to(case)}: python evaluator says {expected}, plugsmith says"
                f" {found} ({sorted(codes.get(entry, set()))})"
            )
    return mismatches


# --------------------------------------------------------------------------------------------
# The cases.


def fixture_cases() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(path for path in FIXTURES.iterdir() if path.is_dir())


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda path: path.name)
def test_fixture_verdicts_agree(case: Path) -> None:
    mismatches = compare(case)
    assert not mismatches, "\n".join(mismatches)


# Small sources on the edges of the evaluator: each becomes ``app/plugins/p<N>/__init__.py``.
SNIPPETS = [
    "a = plugin_info = {'name': 'x'}",
    "plugin_info = {(1, 2): 'x'}",
    "plugin_info = {[1]: 'x'}",
    "plugin_info = {((1, [2]), 3): 'x'}",
    "plugin_info = {1: 'a', True: 'b', 1.0: 'c'}",
    "S = 'ab'\nplugin_info = {'x': [*S]}",
    "B = b'ab'\nplugin_info = {'x': (*B,)}",
    "D = {'k': 1}\nplugin_info = {'x': [*D]}",
    "N = 1\nplugin_info = {'x': [*N]}",
    "L = [1]\nplugin_info = {**L}",
    "plugin_info = {**{'a': 1}, 'a': 2}",
    "plugin_info = {'x': _('a', domain='b')}",
    "N = 'a'\nplugin_info = {'x': _(N)}",
    "plugin_info = {'x': _(*['a'])}",
    "plugin_info = {'x': gettext()}",
    "plugin_info = {'x': ngettext('a')}",
    "plugin_info = {'x': -1}",
    "plugin_info = {'x': +1}",
    "plugin_info = {'x': f'a'}",
    "plugin_info = {'x': 'a' f'b'}",
    "plugin_info = {'x': 'a' 'b' u'c' r'\\d'}",
    "plugin_info = {'x': b'a', 'y': 1j, 'z': ..., 'w': 0x1F, 'v': 1_000.5e-3}",
    "plugin_info = ({'x': 1})",
    "plugin_info = {'x': 1},",
    "plugin_info = 'text'",
    "plugin_info: dict = {}",
    "plugin_info = {}\nplugin_info: dict = {}",
    "plugin_info = {}.copy()\nplugin_info |= {}",
    "X = 1\nX = f()\nplugin_info = {'x': X}",
    "X = f()\nplugin_info = {'x': X}",
    "plugin_info = {'x': {1, 2}}",
    "plugin_info = {'x': [i for i in ()]}",
    "plugin_info = {'x': True and False}",
    "plugin_info = {'x': not True}",
    "plugin_info = {'x': 1 if True else 2}",
    "plugin_info = {'x': (y := 1)}",
    "plugin_info = {'x': lambda: 1}",
    "plugin_info = {'x': os.environ}",
    "plugin_info = {'x': os.environ['A']}",
    "plugin_info = [{}][0]",
    "plugin_info, x = {}, 1",
    "plugin_info = {'x': 1}; plugin_info = 2",
    "plugin_info = 2\nplugin_info = {'x': 1}",
    "plugin_info = {'x': later}\nlater = 1",
    "plugin_info = {'x': None, 'y': True, 'z': [(), [], {}]}",
    "plugin_info = {'x': '\\N{BULLET}', 'y': '\\u00e9\\x41\\101'}",
    "def f():\n    pass\nplugin_info = {'x': f}",
    "import os\nplugin_info = {'x': os}",
    "class ExtendedPluginClass(PluginClass):\n    plugin_info = {}\n",
    "from app.utils import PluginClass as P\nclass ExtendedPluginClass(P.PluginClass):\n    pass\n",
    "plugin_info = {\n<<<<<<< HEAD\n    'x': 1,\n=======\n    'x': 2,\n>>>>>>> other\n}\n",
    "plugin_info = {'x': 1\n",
]


def test_generated_snippets_agree(tmp_path: Path) -> None:
    for index, source in enumerate(SNIPPETS):
        folder = tmp_path / "app" / "plugins" / f"p{index}"
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text(source + "\n", encoding="utf-8")
    mismatches = compare(tmp_path)
    detected = [
        path for path in tmp_path.rglob("__init__.py") if looks_like_archihub(path)
    ]
    assert len(detected) == len(SNIPPETS), "every snippet is an ArchiHub plugin"
    assert not mismatches, "\n".join(mismatches)


def test_evaluator_reads_the_template_shape() -> None:
    """The template's plugin_info (app/utils/templates/Plugin.py) evaluates to its derived JSON
    in shared/real-examples."""
    source = (
        "plugin_info = {\n    'name': '',\n    'description': '',\n    'version': '0.1',\n"
        "    'author': '',\n    'type': ['bulk'],\n    'settings': {\n"
        "        'settings_bulk': []\n    }\n}\n"
    )
    derived = (
        REPO.parent
        / "shared"
        / "real-examples"
        / "archihub"
        / "archihub-backend"
        / "app"
        / "utils"
        / "templates"
        / "Plugin.plugin_info.derived.json"
    )
    info = archihub_plugin_info(source)
    if derived.is_file():
        assert info == json.loads(derived.read_text(encoding="utf-8"))
    else:
        assert info is not None and info["type"] == ["bulk"]
