from yahoo_panoptes.framework.metrics import (PanoptesMetric, PanoptesMetricDimension, PanoptesMetricsGroup,
                                              PanoptesMetricsGroupSet, PanoptesMetricType)
from yahoo_panoptes.polling.polling_plugin import PanoptesPollingPlugin


class AHelperThatIsNotAPlugin(object):
    pass


class PluginPollingSample(PanoptesPollingPlugin):
    def run(self, context):
        device = context.data
        context.logger.info("polling %s", device.resource_id)
        last = context.kv.get("last_poll")
        context.kv.set("last_poll", "now")
        group = PanoptesMetricsGroup(device, "cpu", 60)
        group.add_dimension(PanoptesMetricDimension("model", device.resource_metadata["model"]))
        group.add_metric(PanoptesMetric("cpu_utilization", 42.5, PanoptesMetricType.GAUGE))
        result = PanoptesMetricsGroupSet()
        result.add(group)
        return result
