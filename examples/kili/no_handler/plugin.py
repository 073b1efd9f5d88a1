"""Broken on purpose, like the SDK's test_plugins/no_plugin_handler.py: it imports the plugin
API but defines no PluginHandler class, so the upload fails."""
from kili.plugins import PluginCore

print("Hello world")
