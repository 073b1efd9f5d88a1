"""Broken on purpose: an async handler the upload never sees, a handler that cannot take the
platform's call, and an __init__ that forgets super().__init__()."""
from kili.plugins import PluginCore


class PluginHandler(PluginCore):
    def __init__(self, kili, project_id):
        self.threshold = 0.5

    async def on_submit(self, label, asset_id):
        self.logger.info("submitted %s", asset_id)

    def on_review(self, label):
        self.logger.info("reviewed %s", label["id"])
