from kili.plugins import PluginCore

from .helpers import score


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        return score(label)
