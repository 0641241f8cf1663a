"""Resource package: the curated YAML data, installed as `kg.data` (see kg.paths and data/README.md)."""
