"""A small Kili plugin used by the SDK's tests: sends rejected assets back to the queue."""

from kili.plugins import PluginCore


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        categories = label["jsonResponse"]["CLASSIFICATION_JOB"]["categories"]
        if categories[0]["name"] == "REJECT":
            self.logger.info("rejecting %s", asset_id)
            self.kili.send_back_to_queue(asset_ids=[asset_id])
            return {"decision": "sent back", "asset": asset_id}
        print("accepted", asset_id)
        return {"decision": "accepted", "asset": asset_id}

    def on_review(self, label, asset_id):
        raise RuntimeError(f"review of {asset_id} is not supported")
