# plugsmith runner harness: Yahoo Panoptes (platforms.md 2.1-2.4).
import abc
import configparser
import fnmatch

EXPECTED = {
    "PanoptesPollingPlugin": ("PanoptesMetricsGroupSet", "PanoptesMetricSet"),
    "PanoptesDiscoveryPlugin": ("PanoptesResourceSet",),
    "PanoptesEnrichmentPlugin": ("PanoptesEnrichmentGroupSet", "PanoptesEnrichmentMultiGroupSet"),
}


def _set_class(name, item_attr):
    def __init__(self, *args, **kwargs):
        self._items = []
        self._args = args
        self._kwargs = kwargs

    def add(self, item):
        self._items.append(item)

    def remove(self, item):
        self._items.remove(item)

    def plugsmith_json(self):
        return {"__type__": name, item_attr: [jsonable(i) for i in self._items]}

    ns = {
        "__init__": __init__, "add": add, "remove": remove,
        "__iter__": lambda self: iter(self._items), "__len__": lambda self: len(self._items),
        item_attr: property(lambda self: list(self._items)), "plugsmith_json": plugsmith_json,
    }
    return type(name, (object,), ns)


def install_panoptes_standins():
    class PanoptesBaseException(Exception):
        pass

    class PanoptesPluginConfigurationError(PanoptesBaseException):
        pass

    class PanoptesPluginRuntimeError(PanoptesBaseException):
        pass

    class IPlugin(object):
        def __init__(self):
            self.is_activated = False

        def activate(self):
            self.is_activated = True

        def deactivate(self):
            self.is_activated = False

    class PanoptesBasePlugin(IPlugin):
        __metaclass__ = abc.ABCMeta

        def run(self, context):
            raise NotImplementedError()

    class PanoptesPluginInfo(object):
        def __init__(self, plugin_name, plugin_path):
            self.name = plugin_name
            self.path = plugin_path

    class PanoptesPollingPlugin(PanoptesBasePlugin):
        pass

    class PanoptesDiscoveryPlugin(PanoptesBasePlugin):
        pass

    class PanoptesEnrichmentPlugin(PanoptesBasePlugin):
        pass

    class PanoptesPollingPluginError(PanoptesBaseException):
        pass

    class PanoptesPollingPluginConfigurationError(PanoptesPluginConfigurationError):
        pass

    class PanoptesDiscoveryPluginError(PanoptesBaseException):
        pass

    class PanoptesEnrichmentPluginError(PanoptesBaseException):
        pass

    class PanoptesMetricType(object):
        GAUGE = 0
        COUNTER = 1

    class PanoptesMetric(object):
        def __init__(self, metric_name, metric_value, metric_type, metric_creation_timestamp=None):
            self.metric_name = metric_name
            self.metric_value = metric_value
            self.metric_type = metric_type
            self.metric_creation_timestamp = metric_creation_timestamp or time.time()

    class PanoptesMetricDimension(object):
        def __init__(self, name, value):
            self.name = name
            self.value = value

    class PanoptesMetricsGroup(object):
        def __init__(self, resource, group_type, interval):
            self.resource = resource
            self.group_type = group_type
            self.interval = interval
            self.metrics = []
            self.dimensions = []

        def add_metric(self, metric):
            self.metrics.append(metric)

        def add_dimension(self, dimension):
            self.dimensions.append(dimension)

        def plugsmith_json(self):
            return {"group_type": self.group_type, "interval": self.interval,
                    "metrics": {m.metric_name: m.metric_value for m in self.metrics},
                    "dimensions": {d.name: d.value for d in self.dimensions}}

    class PanoptesResource(object):
        def __init__(self, resource_site, resource_class, resource_subclass, resource_type, resource_id,
                     resource_endpoint, resource_plugin=None, resource_creation_timestamp=None,
                     resource_ttl=None, **kwargs):
            self.resource_site = resource_site
            self.resource_class = resource_class
            self.resource_subclass = resource_subclass
            self.resource_type = resource_type
            self.resource_id = resource_id
            self.resource_endpoint = resource_endpoint
            self.resource_plugin = resource_plugin
            self.resource_creation_timestamp = resource_creation_timestamp or time.time()
            self.resource_ttl = resource_ttl
            self.resource_metadata = {}

        def add_metadata(self, key, value):
            self.resource_metadata[key] = value

    class PanoptesEnrichmentSet(object):
        def __init__(self, key, value=None):
            self.key = key
            self.value = dict(value or {})

        def add(self, key, value):
            self.value[key] = value

    class PanoptesEnrichmentGroup(object):
        def __init__(self, namespace, schema_validator=None, enrichment_ttl=None, execute_frequency=None):
            self.namespace = namespace
            self.enrichment_ttl = enrichment_ttl
            self.execute_frequency = execute_frequency
            self.enrichments = []

        def add_enrichment_set(self, s):
            self.enrichments.append(s)

        def plugsmith_json(self):
            return {"namespace": self.namespace, "enrichment_ttl": self.enrichment_ttl,
                    "data": {s.key: s.value for s in self.enrichments}}

    class PanoptesEnrichmentSchemaValidator(object):
        schema = {}

        def validate(self, enrichment_set):
            return True

    MetricsGroupSet = _set_class("PanoptesMetricsGroupSet", "metrics_groups")
    MetricsGroupSet.add_metrics_group = MetricsGroupSet.add
    ResourceSet = _set_class("PanoptesResourceSet", "resources")
    ResourceSet.add_resource = ResourceSet.add
    EnrichmentGroupSet = _set_class("PanoptesEnrichmentGroupSet", "enrichment_groups")
    EnrichmentGroupSet.add_enrichment_group = EnrichmentGroupSet.add
    EnrichmentMultiGroupSet = _set_class("PanoptesEnrichmentMultiGroupSet", "enrichment_group_sets")
    EnrichmentMultiGroupSet.add_enrichment_group_set = EnrichmentMultiGroupSet.add

    base = dict(PanoptesBasePlugin=PanoptesBasePlugin, PanoptesPluginInfo=PanoptesPluginInfo,
                PanoptesPluginConfigurationError=PanoptesPluginConfigurationError,
                PanoptesPluginRuntimeError=PanoptesPluginRuntimeError)
    mods = {
        "yapsy": {},
        "yapsy.IPlugin": dict(IPlugin=IPlugin),
        "yahoo_panoptes": {},
        "yahoo_panoptes.framework": {},
        "yahoo_panoptes.framework.exceptions": dict(PanoptesBaseException=PanoptesBaseException),
        "yahoo_panoptes.framework.plugins": {},
        "yahoo_panoptes.framework.plugins.panoptes_base_plugin": base,
        "yahoo_panoptes.framework.plugins.context": dict(PanoptesPluginContext=PanoptesContext,
                                                         PanoptesPluginWithEnrichmentContext=PanoptesContext),
        "yahoo_panoptes.framework.metrics": dict(
            PanoptesMetricType=PanoptesMetricType, PanoptesMetric=PanoptesMetric,
            PanoptesMetricDimension=PanoptesMetricDimension, PanoptesMetricsGroup=PanoptesMetricsGroup,
            PanoptesMetricsGroupSet=MetricsGroupSet, PanoptesMetricSet=MetricsGroupSet),
        "yahoo_panoptes.framework.resources": dict(PanoptesResource=PanoptesResource,
                                                   PanoptesResourceSet=ResourceSet),
        "yahoo_panoptes.framework.enrichment": dict(
            PanoptesEnrichmentSet=PanoptesEnrichmentSet, PanoptesEnrichmentGroup=PanoptesEnrichmentGroup,
            PanoptesEnrichmentGroupSet=EnrichmentGroupSet, PanoptesEnrichmentMultiGroupSet=EnrichmentMultiGroupSet,
            PanoptesEnrichmentSchemaValidator=PanoptesEnrichmentSchemaValidator),
        "yahoo_panoptes.polling": {},
        "yahoo_panoptes.polling.polling_plugin": dict(
            PanoptesPollingPlugin=PanoptesPollingPlugin, PanoptesPollingPluginError=PanoptesPollingPluginError,
            PanoptesPollingPluginConfigurationError=PanoptesPollingPluginConfigurationError, **base),
        "yahoo_panoptes.discovery": {},
        "yahoo_panoptes.discovery.panoptes_discovery_plugin": dict(
            PanoptesDiscoveryPlugin=PanoptesDiscoveryPlugin, PanoptesDiscoveryPluginError=PanoptesDiscoveryPluginError, **base),
        "yahoo_panoptes.enrichment": {},
        "yahoo_panoptes.enrichment.enrichment_plugin": dict(
            PanoptesEnrichmentPlugin=PanoptesEnrichmentPlugin, PanoptesEnrichmentPluginError=PanoptesEnrichmentPluginError, **base),
    }
    for name, attrs in mods.items():
        m = new_module(name, **attrs)
        m.__path__ = []
        install_module(name, m)
    return PanoptesResource


class RecordingStore(object):
    """In-memory KV store (plugin KV / secrets) recording every operation."""

    def __init__(self, name, data=None):
        self._name = name
        self._data = dict(data or {})

    def _rec(self, op, ret, *args):
        emit("call", method="%s.%s" % (self._name, op), args=jsonable(list(args)), kwargs={}, returned=jsonable(ret))
        return ret

    def get(self, key):
        return self._rec("get", self._data.get(key), key)

    def set(self, key, value, expire=None):
        self._data[key] = value
        return self._rec("set", None, key, value, expire)

    def getset(self, key, value, expire=None):
        old = self._data.get(key)
        self._data[key] = value
        return self._rec("getset", old, key, value, expire)

    def delete(self, key):
        self._data.pop(key, None)
        return self._rec("delete", None, key)

    def find_keys(self, pattern):
        return self._rec("find_keys", [k for k in self._data if fnmatch.fnmatchcase(k, pattern)], pattern)

    def set_add(self, key, value):
        self._data.setdefault(key, set()).add(value)
        return self._rec("set_add", None, key, value)

    def set_members(self, key):
        return self._rec("set_members", set(self._data.get(key, set())), key)

    def get_by_site(self, key, site, fallback_to_default=True):
        v = self._data.get("%s:%s" % (key, site))
        if v is None and fallback_to_default:
            v = self._data.get("%s:default" % key)
        return self._rec("get_by_site", v, key, site, fallback_to_default)


class PanoptesContext(object):
    """Stand-in for PanoptesPluginWithEnrichmentContext as the agents build it."""

    def __init__(self, logger=None, config=None, kv=None, secrets=None, data=None, sites=None,
                 snmp=None, x509=None, enrichment=None, **kwargs):
        self.logger = logger
        self.config = config
        self.kv = kv
        self.secrets = secrets
        self.data = data
        self.sites = sites
        self.snmp = snmp
        self.x509 = x509
        self.enrichment = enrichment


def panoptes_body(spec, extra):
    info_file = spec["info_file"]
    plugin_dir = os.path.dirname(os.path.abspath(info_file))
    if module_available("yahoo_panoptes"):
        extra["panoptes"] = "installed"
        from yahoo_panoptes.framework.resources import PanoptesResource
        from yahoo_panoptes.framework.plugins.context import PanoptesPluginContext as RealContext  # noqa: F401
    else:
        extra["panoptes"] = "stand-in"
        PanoptesResource = install_panoptes_standins()

    PHASES.set("import")
    parser = configparser.ConfigParser()
    with open(info_file, encoding="utf-8") as f:
        parser.read_file(f)
    config = {s: dict(parser.items(s, raw=True)) for s in parser.sections()}
    name = parser.get("Core", "Name")
    module_name = parser.get("Core", "Module")
    candidate = os.path.join(plugin_dir, module_name)
    add_path(plugin_dir)
    if os.path.isdir(candidate):
        module = make_package(module_name.replace("/", "_").replace(".", "_"), candidate)
    else:
        module = load_file_module(os.path.basename(module_name).replace(".", "_"), candidate + ".py")

    import yahoo_panoptes.polling.polling_plugin as pp
    import yahoo_panoptes.discovery.panoptes_discovery_plugin as dp
    import yahoo_panoptes.enrichment.enrichment_plugin as ep
    categories = [pp.PanoptesPollingPlugin, dp.PanoptesDiscoveryPlugin, ep.PanoptesEnrichmentPlugin]
    chosen = category = None
    for attr in dir(module):  # yapsy: alphabetical dir(), first subclass of a category
        element = getattr(module, attr)
        if not isinstance(element, type):
            continue
        for cat in categories:
            if issubclass(element, cat) and element not in categories:
                chosen, category = element, cat
                break
        if chosen:
            break
    if chosen is None:
        raise TypeError("No subclass of PanoptesPollingPlugin, PanoptesDiscoveryPlugin or "
                        "PanoptesEnrichmentPlugin in module %s: yapsy would load nothing" % module_name)
    extra["class"] = chosen.__name__
    extra["category"] = category.__name__
    emit("entry", event="run", handler="%s.run" % chosen.__name__)
    plugin = chosen()
    logger = logging.getLogger("panoptes.plugins.%s" % name)
    logger.setLevel(logging.DEBUG)
    data = None
    if category is not dp.PanoptesDiscoveryPlugin:
        r = dict(spec.get("resource") or {})
        meta = r.pop("resource_metadata", {}) or {}
        data = PanoptesResource(**{k: v for k, v in r.items()})
        for k, v in meta.items():
            data.add_metadata(k, v)
    ctx = PanoptesContext(
        logger=logger, config=config, kv=RecordingStore("kv"), secrets=RecordingStore("secrets"),
        data=data, sites={getattr(data, "resource_site", "dc1")},
        snmp={"timeout": 5, "retries": 1, "non_repeaters": 0, "max_repetitions": 25, "port": 161},
        x509={"x509_secured_requests": 0}, enrichment=None)
    PHASES.set("imported")
    PHASES.set("call")
    result = plugin.run(ctx)
    names = [c.__name__ for c in type(result).__mro__] if result is not None else []
    expected = EXPECTED[category.__name__]
    extra["result_type"] = type(result).__name__
    if result is None:
        warn("Plugin %s did not return any results (Panoptes logs this and sends nothing)" % name)
    elif not any(n in names for n in expected):
        warn("Plugin %s returned an unexpected result type %s (expected %s): Panoptes discards it"
             % (name, type(result).__name__, " or ".join(expected)))
    elif hasattr(result, "__len__") and len(result) == 0:
        warn("Plugin %s returned an empty %s: no callback is made" % (name, type(result).__name__))
    return result


run_harness(panoptes_body)
