#!/usr/bin/env python3
"""Writes a benchmark corpus of plugins of all five platforms.

    python3 bench/generate_corpus.py OUT_DIR [--per-platform 400]

Each platform gets PER_PLATFORM plugins (2,000 in all by default), built from templates with
varied names, sizes and a share of real defects (about one plugin in five is broken), so that
both the happy path and the reporting path are measured. Every Python file also carries a block
of ordinary helper code, so `ruff check` has as much Python to read as plugsmith does.
"""
import argparse
import json
import random
from pathlib import Path

HELPERS = '''

def normalise_{n}(values, scale=1.0):
    """Scale and clip a list of numbers."""
    out = []
    for index, value in enumerate(values):
        if value is None:
            continue
        scaled = value * scale
        if scaled > 1000:
            scaled = 1000
        out.append((index, scaled))
    return out


class Accumulator{n}:
    def __init__(self, name):
        self.name = name
        self.items = {{}}

    def add(self, key, value):
        self.items.setdefault(key, []).append(value)
        return len(self.items[key])

    def summary(self):
        return {{key: sum(values) / len(values) for key, values in self.items.items() if values}}
'''


def helpers(count, seed):
    return "".join(HELPERS.format(n=f"{seed}_{i}") for i in range(count))


def kili(root, i, broken):
    folder = root / "kili" / f"plugin_{i}"
    folder.mkdir(parents=True)
    handler = "async def on_submit" if broken else "def on_submit"
    (folder / "main.py").write_text(
        "from kili.plugins import PluginCore\n\nfrom .helpers import normalise_0_0\n\n\n"
        "class PluginHandler(PluginCore):\n"
        f"    {handler}(self, label, asset_id):\n"
        "        annotations = label['jsonResponse'].get('JOB_0', {}).get('annotations', [])\n"
        "        if len(annotations) > 1:\n"
        "            self.kili.send_back_to_queue(asset_ids=[asset_id])\n"
        "        self.logger.info('checked %s', asset_id)\n\n"
        "    def on_review(self, label, asset_id):\n"
        "        self.logger.info('reviewed %s', asset_id)\n"
        + helpers(3, i)
    )
    (folder / "helpers.py").write_text(helpers(4, i + 1))
    (folder / "requirements.txt").write_text("numpy>=1.26\npandas >= 2,\n" if broken else "numpy>=1.26\n")


def panoptes(root, i, broken):
    folder = root / "panoptes" / f"plugin_{i}"
    folder.mkdir(parents=True)
    percent = "%" if broken else "%%"
    (folder / f"plugin_polling_{i}.panoptes-plugin").write_text(
        "[Core]\n"
        f"Name = Polling Plugin {i}\n"
        f"Module = plugin_polling_{i}\n\n"
        "[Documentation]\nAuthor = Bench\nVersion = 0.1\nWebsite = https://example.invalid\n"
        "Description = benchmark plugin\n\n"
        "[main]\n"
        f"execute_frequency = {60 + i}\n"
        f'resource_filter = resource_class = "network" AND resource_metadata.model LIKE "asr{percent}"\n'
        "namespace = metrics\n"
    )
    (folder / f"plugin_polling_{i}.py").write_text(
        "from yahoo_panoptes.polling.polling_plugin import PanoptesPollingPlugin\n\n\n"
        f"class PluginPolling{i}(PanoptesPollingPlugin):\n"
        "    def run(self, context):\n"
        "        return None\n" + helpers(3, i)
    )


def supervisely(root, i, broken):
    folder = root / "supervisely" / f"plugin_{i}"
    (folder / "src").mkdir(parents=True)
    info = {"title": f"Import {i}", "description": "benchmark import plugin", "type": "impotr" if broken else "import"}
    (folder / "plugin_info.json").write_text(json.dumps(info, indent=2) + "\n")
    (folder / "VERSION").write_text(f"import-bench-{i}:6.1.{i}\n")
    (folder / "Dockerfile").write_text("ARG REGISTRY\nARG TAG\nFROM ${REGISTRY}/base-py:${TAG}\n")
    (folder / "README.md").write_text(f"# Import {i}\n")
    configs = [{"title": "default", "type": "import", "config": {"res_names": {"project": "x"}}}]
    (folder / "predefined_run_configs.json").write_text(json.dumps(configs, indent=2) + "\n")
    (folder / "src" / "main.py").write_text(
        "import supervisely_lib as sly\n\n\ndef main():\n    sly.logger.info('start')\n\n\n"
        "if __name__ == '__main__':\n    sly.main_wrapper('IMPORT', main)\n" + helpers(3, i)
    )


def flowdapt(root, i, broken):
    name = f"flowdapt_bench_{i}"
    folder = root / "flowdapt" / f"plugin_{i}"
    (folder / name).mkdir(parents=True)
    (folder / "workflows").mkdir()
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name.replace("_", "-")}"\nversion = "0.1.0"\n\n'
        f'[project.entry-points."flowdapt.plugins"]\n{name} = "{name}"\n'
    )
    (folder / name / "__init__.py").write_text("")
    (folder / name / "stages.py").write_text(
        "def fetch(city='Paris'):\n    return [city]\n\n\n"
        "def process(rows):\n    return len(rows)\n" + helpers(3, i)
    )
    depends = "dependsOn" if broken else "depends_on"
    (folder / "workflows" / "main.yaml").write_text(
        "kind: workflow\nmetadata:\n"
        f"  name: bench_{i}\n"
        "spec:\n  stages:\n"
        f"    - name: fetch\n      target: {name}.stages.fetch\n"
        f"    - name: process\n      target: {name}.stages.process\n      {depends}:\n        - fetch\n"
    )


def archihub(root, i, broken):
    slug = f"plugin{i}"
    folder = root / "archihub" / "app" / "plugins" / slug
    folder.mkdir(parents=True)
    kwargs = "" if broken else ", **kwargs"
    (folder / "__init__.py").write_text(
        "from app.utils import PluginClass\nfrom celery import shared_task\n\n\n"
        "class ExtendedPluginClass(PluginClass):\n"
        f"    def __init__(self, path, import_name, name, description, version, author, type, settings{kwargs}):\n"
        "        super().__init__(path, __file__, import_name, name, description, version, author, type, settings)\n\n"
        "    def add_routes(self):\n"
        "        @self.route('/bulk', methods=['POST'])\n"
        "        def bulk_route():\n"
        "            return {}\n\n"
        f"    @shared_task(ignore_result=False, name='{slug}.bulk')\n"
        "    def bulk(body, user):\n"
        "        return 'ok'\n\n\n"
        "plugin_info = {\n"
        f"    'name': 'Plugin {i}',\n"
        "    'description': 'benchmark plugin',\n"
        "    'version': '0.1',\n"
        "    'author': 'Bench',\n"
        "    'type': ['bulk'],\n"
        "    'settings': {\n"
        "        'settings_bulk': [\n"
        "            {'type': 'text', 'id': 'title', 'label': 'Title', 'required': True},\n"
        "            {'type': 'checkbox', 'id': 'overwrite', 'label': 'Overwrite', 'default': False},\n"
        "        ]\n"
        "    },\n"
        "}\n" + helpers(3, i)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-platform", type=int, default=400)
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    random.seed(7)
    for make in (kili, panoptes, supervisely, flowdapt, archihub):
        for i in range(args.per_platform):
            make(args.out, i, broken=random.random() < 0.2)
    print(f"wrote {5 * args.per_platform} plugins to {args.out}")


if __name__ == "__main__":
    main()
