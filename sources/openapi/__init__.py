"""From a system's OpenAPI 3 document to a reviewed-by-a-person source config skeleton.

``c360 import-openapi`` reads the document (``document``), finds where each
answer keeps its records and how it pages (``answers``), proposes lookups from
paths and parameters (``lookups``) and field mappings by name similarity to the
domain records (``fields``), and writes YAML with every guess marked
``# REVIEW`` (``skeleton``).
"""
