from kili.plugins import PluginCore


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        if not label["jsonResponse"].get("CLASSIFICATION_JOB"):
            return
        self.logger.info("sending %s back to queue", asset_id)
        print("submit", asset_id)
        self.kili.send_back_to_queue(asset_ids=[asset_id])
        return {"sent_back": asset_id}
