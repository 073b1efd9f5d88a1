"""Modelled on yahoo_panoptes/plugins/polling/heartbeat/plugin_polling_heartbeat.py."""
from yahoo_panoptes.polling.polling_plugin import PanoptesPollingPlugin


class PluginPollingHeartbeat(PanoptesPollingPlugin):
    def run(self, context):
        context.logger.info("heartbeat for %s", context.data)
        return None
