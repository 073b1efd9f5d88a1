from kili.plugins import PluginCore, on_kili_event
from kili_events import AnyEvent, AssetSkippedEvent, AssetWorkflowEvent, LabelWorkflowCreatedDefaultEvent


class PluginHandler(PluginCore):
    @on_kili_event
    def a_on_skipped(self, event: AssetSkippedEvent):
        self.logger.info("skipped %s", event.payload.asset_id)
        raise ValueError("cannot handle skipped asset %s" % event.payload.asset_id)

    @on_kili_event
    def b_on_anything(self, event: "AssetWorkflowEvent | AnyEvent"):
        self.kili.update_properties_in_assets(asset_ids=[event.payload["assetId"]], priorities=[1])

    @on_kili_event
    def c_on_label_created(self, event: LabelWorkflowCreatedDefaultEvent):
        self.kili.send_back_to_queue(asset_ids=["never"])
