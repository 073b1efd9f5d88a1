"""Differential test: plugsmith's FDT003 (and PLG002), and FDT007, against Flowdapt's own models.

Every resource file (``.yaml``, ``.yml``, ``.json``) under ``fixtures/flowdapt/`` and
``../shared/real-examples/flowdapt/``, plus generated variants of a valid workflow, config and
trigger rule, goes through what ``flowctl apply`` and the server do with it:

- ``flowctl`` 0.1.4 (``flowctl/resources.py parse_resource_definition``): the file is read with
  ``yaml.safe_load`` / ``json.loads`` (python-manifest's serializers), ``kind`` must be
  ``workflow``, ``trigger_rule`` or ``config``, a truthy ``version`` must be ``v1alpha1``;
- the server (flowdapt 0.1.52): the v1alpha1 create-request DTO of the kind
  (``flowdapt.compute.domain.dto.v1.workflow``, ``...dto.v1.config``,
  ``flowdapt.triggers.domain.dto.v1.triggerrule``) and its ``to_model()`` (the model validators:
  stage type, non-empty stages, metadata name, trigger rule shape and cron strings).

A file the platform rejects must get FDT003 or PLG002 from plugsmith; a file it accepts must get
neither. Unknown keys (FDT004) are a warning and do not count.

Setup: ``pip install flowdapt==0.1.52 pytest`` (Python 3.11) and ``cargo build -p plugsmith``.
The binary is ``$PLUGSMITH_BIN`` (default ``target/debug/plugsmith``); the test is skipped when
it or Flowdapt is missing. Nothing here runs plugin code or touches the network.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "flowdapt"
REAL = REPO.parent / "shared" / "real-examples" / "flowdapt"

yaml = pytest.importorskip("yaml")
workflow_dto = pytest.importorskip(
    "flowdapt.compute.domain.dto.v1.workflow",
    reason="flowdapt is not installed (pip install flowdapt==0.1.52)",
)
config_dto = pytest.importorskip("flowdapt.compute.domain.dto.v1.config")
trigger_dto = pytest.importorskip("flowdapt.triggers.domain.dto.v1.triggerrule")

BIN = Path(os.environ.get("PLUGSMITH_BIN", REPO / "target" / "debug" / "plugsmith"))
if not BIN.is_file():
    pytest.skip(f"plugsmith binary not found at {BIN} (cargo build -p plugsmith)", allow_module_level=True)

CREATE = {
    "workflow": workflow_dto.V1Alpha1WorkflowResourceCreateRequest,
    "config": config_dto.V1Alpha1ConfigResourceCreateRequest,
    "trigger_rule": trigger_dto.V1Alpha1TriggerRuleResourceCreateRequest,
}
EXTENSIONS = {".yaml", ".yml", ".json"}
# Not Flowdapt resources (plugsmith must not claim them), and Jinja templates.
SKIP_PARTS = {"not_flowdapt", "cookiecutter-flowdapt-plugin"}


def platform_rejects(path: Path) -> str | None:
    """Why flowctl or the server rejects the file, or None when both accept it."""
    text = path.read_bytes()
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except Exception as error:  # noqa: BLE001 - any loader error is a rejection
        return f"load: {error}"
    if not isinstance(data, dict):
        return "not a mapping"
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in CREATE:
        return f"kind: {kind!r}"
    version = data.get("version")
    if version is not None and not isinstance(version, str):
        return f"version type: {version!r}"
    if version and version != "v1alpha1":
        return f"version: {version!r}"
    body = {key: value for key, value in data.items() if key != "version"}
    try:
        CREATE[kind](**body).to_model()
    except Exception as error:  # noqa: BLE001 - pydantic ValidationError, ValueError, ...
        return f"model: {type(error).__name__}: {error}"
    return None


VALID_WORKFLOW = {
    "kind": "workflow",
    "metadata": {"name": "wf", "annotations": {"group": "g"}},
    "spec": {
        "stages": [
            {"name": "a", "target": "pkg.stages.a"},
            {"name": "b", "target": "pkg.stages.b", "depends_on": ["a"], "type": "parameterized"},
        ]
    },
}
VALID_CONFIG = {
    "kind": "config",
    "metadata": {"name": "main"},
    "spec": {"selector": {"type": "annotation", "value": {"group": "g"}}, "data": {"x": 1}},
}
VALID_TRIGGER = {
    "kind": "trigger_rule",
    "metadata": {"name": "t"},
    "spec": {
        "type": "schedule",
        "rule": ["*/5 * * * *"],
        "action": {"target": "run_workflow", "parameters": {"workflow": "wf"}},
    },
}


def variants() -> dict[str, str]:
    """Small edits of the valid resources, as YAML texts (some written by hand for YAML 1.1)."""
    import copy

    out: dict[str, str] = {}

    def put(name: str, base: dict, edit) -> None:
        data = copy.deepcopy(base)
        edit(data)
        out[name] = yaml.safe_dump(data, sort_keys=False)

    stage = lambda d, i=0: d["spec"]["stages"][i]  # noqa: E731
    put("wf_ok", VALID_WORKFLOW, lambda d: None)
    put("wf_version_empty", VALID_WORKFLOW, lambda d: d.update(version=""))
    put("wf_version_null", VALID_WORKFLOW, lambda d: d.update(version=None))
    put("wf_version_bad", VALID_WORKFLOW, lambda d: d.update(version="v1"))
    put("wf_no_kind", VALID_WORKFLOW, lambda d: d.pop("kind"))
    put("wf_no_metadata", VALID_WORKFLOW, lambda d: d.pop("metadata"))
    put("wf_name_int", VALID_WORKFLOW, lambda d: d["metadata"].update(name=12))
    put("wf_name_empty", VALID_WORKFLOW, lambda d: d["metadata"].update(name=""))
    put("wf_name_dot", VALID_WORKFLOW, lambda d: d["metadata"].update(name="a.b"))
    put("wf_name_newline", VALID_WORKFLOW, lambda d: d["metadata"].update(name="ab\n"))
    put("wf_annotation_int", VALID_WORKFLOW, lambda d: d["metadata"]["annotations"].update(n=1))
    put("wf_no_spec", VALID_WORKFLOW, lambda d: d.pop("spec"))
    put("wf_stages_empty", VALID_WORKFLOW, lambda d: d["spec"].update(stages=[]))
    put("wf_stages_dict", VALID_WORKFLOW, lambda d: d["spec"].update(stages={"a": 1}))
    put("wf_stage_no_name", VALID_WORKFLOW, lambda d: stage(d).pop("name"))
    put("wf_stage_no_target", VALID_WORKFLOW, lambda d: stage(d).pop("target"))
    put("wf_stage_target_int", VALID_WORKFLOW, lambda d: stage(d).update(target=3))
    put("wf_stage_type_bad", VALID_WORKFLOW, lambda d: stage(d).update(type="parallel"))
    put("wf_stage_depends_scalar", VALID_WORKFLOW, lambda d: stage(d, 1).update(depends_on="a"))
    put("wf_stage_depends_int", VALID_WORKFLOW, lambda d: stage(d, 1).update(depends_on=[1]))
    put("wf_stage_depends_null", VALID_WORKFLOW, lambda d: stage(d, 1).update(depends_on=None))
    put("wf_stage_priority_int", VALID_WORKFLOW, lambda d: stage(d).update(priority=3))
    put("wf_stage_priority_str", VALID_WORKFLOW, lambda d: stage(d).update(priority="3"))
    put("wf_stage_priority_float", VALID_WORKFLOW, lambda d: stage(d).update(priority=1.5))
    put("wf_stage_priority_word", VALID_WORKFLOW, lambda d: stage(d).update(priority="high"))
    put("wf_stage_description_int", VALID_WORKFLOW, lambda d: stage(d).update(description=1))
    put("wf_stage_options_list", VALID_WORKFLOW, lambda d: stage(d).update(options=[1]))
    put("wf_stage_resources_ok", VALID_WORKFLOW, lambda d: stage(d).update(resources={"cpus": 1, "memory": "8GB"}))
    put("wf_stage_unknown_key", VALID_WORKFLOW, lambda d: stage(d).update(dependsOn=["a"]))
    put("wf_top_unknown_key", VALID_WORKFLOW, lambda d: d.update(extra=1))
    put("cfg_ok", VALID_CONFIG, lambda d: None)
    put("cfg_no_data", VALID_CONFIG, lambda d: d["spec"].pop("data"))
    put("cfg_data_list", VALID_CONFIG, lambda d: d["spec"].update(data=[1]))
    put("cfg_selector_null", VALID_CONFIG, lambda d: d["spec"].update(selector=None))
    put("cfg_selector_type_bad", VALID_CONFIG, lambda d: d["spec"]["selector"].update(type="label"))
    put("cfg_selector_value_str", VALID_CONFIG, lambda d: d["spec"]["selector"].update(type="name", value="wf"))
    put("cfg_selector_value_int", VALID_CONFIG, lambda d: d["spec"]["selector"].update(value={"g": 1}))
    put("trg_ok", VALID_TRIGGER, lambda d: None)
    put("trg_condition_ok", VALID_TRIGGER, lambda d: d["spec"].update(type="condition", rule={"eq": [1, 1]}))
    put("trg_condition_default", VALID_TRIGGER, lambda d: (d["spec"].pop("type"), d["spec"].update(rule={"eq": [1, 1]})))
    put("trg_condition_list", VALID_TRIGGER, lambda d: d["spec"].update(type="condition"))
    put("trg_condition_empty", VALID_TRIGGER, lambda d: d["spec"].update(type="condition", rule={}))
    put("trg_schedule_dict", VALID_TRIGGER, lambda d: d["spec"].update(rule={"cron": "* * * * *"}))
    put("trg_schedule_empty", VALID_TRIGGER, lambda d: d["spec"].update(rule=[]))
    put("trg_type_bad", VALID_TRIGGER, lambda d: d["spec"].update(type="cron"))
    put("trg_no_action", VALID_TRIGGER, lambda d: d["spec"].pop("action"))
    put("trg_action_no_target", VALID_TRIGGER, lambda d: d["spec"]["action"].pop("target"))
    put("trg_action_dotted", VALID_TRIGGER, lambda d: d["spec"]["action"].update(target="flowdapt.triggers.resources.triggers.actions.print_event"))
    # YAML 1.1 scalars, as safe_load reads them.
    out["yaml11_name_yes"] = "kind: workflow\nmetadata:\n  name: yes\nspec:\n  stages:\n    - name: a\n      target: p.a\n"
    out["yaml11_stage_name_octal"] = "kind: workflow\nmetadata:\n  name: wf\nspec:\n  stages:\n    - name: 017\n      target: p.a\n"
    out["yaml11_stage_name_0o"] = "kind: workflow\nmetadata:\n  name: wf\nspec:\n  stages:\n    - name: 0o17\n      target: p.a\n"
    out["yaml11_annotation_on"] = "kind: workflow\nmetadata:\n  name: wf\n  annotations:\n    enabled: on\nspec:\n  stages:\n    - name: a\n      target: p.a\n"
    out["yaml11_version_float"] = "kind: workflow\nversion: 1.0\nmetadata:\n  name: wf\nspec:\n  stages:\n    - name: a\n      target: p.a\n"
    out["yaml_anchor_merge"] = "kind: workflow\nmetadata:\n  name: wf\nbase: &b\n  target: p.a\nspec:\n  stages:\n    - <<: *b\n      name: a\n"
    out["yaml_two_documents"] = "kind: config\nmetadata:\n  name: a\nspec:\n  data: {}\n---\nkind: config\nmetadata:\n  name: b\nspec:\n  data: {}\n"
    return out


def plugsmith_rejections(target: Path) -> dict[Path, list[str]]:
    """Every file under `target` (resolved) → FDT003/PLG002 messages plugsmith reports."""
    result = subprocess.run(
        [str(BIN), "check", "--output-format", "json", str(target)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode in (0, 1), result.stderr
    found: dict[Path, list[str]] = {}
    for diagnostic in json.loads(result.stdout or "[]"):
        if diagnostic["code"] in ("FDT003", "PLG002"):
            path = (REPO / diagnostic["filename"]).resolve()
            found.setdefault(path, []).append(f'{diagnostic["code"]} {diagnostic["message"]}')
    return found


def resource_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix in EXTENSIONS
        and path.is_file()
        and not SKIP_PARTS.intersection(path.relative_to(root).parts)
    )


def compare(files: list[Path], rejections: dict[Path, list[str]]) -> list[str]:
    problems = []
    for path in files:
        platform = platform_rejects(path)
        ours = rejections.get(path.resolve(), [])
        if bool(platform) != bool(ours):
            problems.append(f"{path}: flowdapt={platform!r} plugsmith={ours!r}")
    return problems


def test_fixtures_agree_with_flowdapt():
    files = resource_files(FIXTURES)
    assert files
    assert compare(files, plugsmith_rejections(FIXTURES)) == []


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-examples/flowdapt is absent")
def test_real_examples_agree_with_flowdapt():
    files = resource_files(REAL)
    assert files
    assert compare(files, plugsmith_rejections(REAL)) == []


def test_generated_variants_agree_with_flowdapt(tmp_path: Path):
    # Inside the repository would be checked by the other suites; a temporary folder is its own
    # workspace.
    folder = tmp_path / "variants"
    folder.mkdir()
    for name, text in variants().items():
        (folder / f"{name}.yaml").write_text(text)
    files = resource_files(folder)
    assert compare(files, plugsmith_rejections(folder)) == []
    shutil.rmtree(folder)


# FDT007: the stage functions below (written by this test, never a plugin's code) go through
# Flowdapt's own stage construction (`BaseStage.from_definition`, which reads the target's
# `inspect.signature`); plugsmith must report FDT007 exactly for those Flowdapt refuses, with
# Flowdapt's message.
CONTEXT_FUNCTIONS = {
    "plain": "def plain(context):\n    return 1\n",
    "typed": "def typed(rows, context: dict):\n    return rows\n",
    "default": "def default(rows, context=None):\n    return rows\n",
    "keyword_only": "def keyword_only(rows, *, context: dict = {}):\n    return rows\n",
    "star": "def star(*context):\n    return 1\n",
    "double_star": "def double_star(**context):\n    return 1\n",
    "near_miss": "def near_miss(rows, ctx=None, contexts=None):\n    return rows\n",
    "local_variable": "def local_variable(rows):\n    context = rows\n    return context\n",
}


def test_context_parameter_agrees_with_flowdapt(tmp_path: Path):
    import importlib
    import sys

    stage_module = pytest.importorskip("flowdapt.compute.resources.workflow.stage")
    root = tmp_path / "ctx_project"
    package = root / "fdt007_probe"
    (root / "workflows").mkdir(parents=True)
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "stages.py").write_text("\n\n".join(CONTEXT_FUNCTIONS.values()))
    (root / "pyproject.toml").write_text(
        '[project]\nname = "fdt007-probe"\nversion = "0.1.0"\n\n'
        '[project.entry-points."flowdapt.plugins"]\nfdt007_probe = "fdt007_probe"\n'
    )
    stages = "".join(
        f"    - name: stage_{name}\n      target: fdt007_probe.stages.{name}\n" for name in CONTEXT_FUNCTIONS
    )
    (root / "workflows" / "wf.yaml").write_text(f"kind: workflow\nmetadata:\n  name: wf\nspec:\n  stages:\n{stages}")

    refused: dict[str, str] = {}
    sys.path.insert(0, str(root))
    try:
        for name in CONTEXT_FUNCTIONS:
            try:
                stage_module.BaseStage.from_definition(
                    {"name": f"stage_{name}", "target": f"fdt007_probe.stages.{name}"}
                )
            except Exception as error:  # pydantic ValidationError wrapping the ValueError
                refused[name] = str(error)
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m.startswith("fdt007_probe")]:
            del sys.modules[module]
        importlib.invalidate_caches()

    result = subprocess.run(
        [str(BIN), "check", "--output-format", "json", str(root)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode in (0, 1), result.stderr
    ours = [d for d in json.loads(result.stdout or "[]") if d["code"] == "FDT007"]
    assert len(ours) == len(refused), (ours, refused)
    for name, message in refused.items():
        expected = f"Stage `stage_{name}` cannot have the following parameters: ['context']"
        assert expected in message, message
        assert any(expected in d["message"] for d in ours), (name, ours)
    assert set(refused) == {"plain", "typed", "default", "keyword_only", "star", "double_star"}
