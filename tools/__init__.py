"""Offline tools for the people who configure the gateway (not served, not imported by it).

A tool may use every layer: it runs once from a terminal, outside the gateway's
process. ``import_openapi`` is the ``c360-import`` command (and what
``c360 import-openapi`` runs); ``check_config`` is what ``c360 check-config`` runs.
Each declares its own arguments; the gateway's CLI forwards them.
"""
