"""Kili plugin modelled on the SDK's recipes/plugins_library/plugin_image.py: an asset with more
than one OBJECT_A box gets an issue and goes back to the queue. Valid."""
from kili.plugins import PluginCore


def count_boxes(label, category="OBJECT_A"):
    annotations = label.get("jsonResponse", {}).get("JOB_0", {}).get("annotations", [])
    return sum(
        1
        for annotation in annotations
        if any(c.get("name") == category for c in annotation.get("categories", []))
    )


class PluginHandler(PluginCore):
    """Custom plugin instance."""

    def on_submit(self, label, asset_id):
        if count_boxes(label) > 1:
            self.kili.create_issues(
                project_id=self.project_id,
                label_id_array=[label["id"]],
                text_array=["There are more than one OBJECT_A"],
            )
            self.kili.send_back_to_queue(asset_ids=[asset_id])
        self.logger.info("checked %s", asset_id)
