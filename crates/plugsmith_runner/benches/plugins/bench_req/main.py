import six

from kili.plugins import PluginCore

from .sub_folder.helpers import describe


class PluginHandler(PluginCore):
    def on_review(self, label, asset_id):
        self.kili.add_to_review(asset_ids=[asset_id])
        return {"six": six.__version__, "six_file": six.__file__, "summary": describe(label)}
