"""Nowcast weather plugin for Flowdapt."""
