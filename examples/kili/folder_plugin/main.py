"""Folder plugin modelled on the SDK's tests/unit/services/plugins/plugin_folder: main.py with a
relative import from a sub-folder and a requirements.txt. Valid."""
from kili.plugins import PluginCore

from .sub_folder.helpers import score


class PluginHandler(PluginCore):
    def on_review(self, label, asset_id):
        self.logger.info("review score for %s: %s", asset_id, score(label))
