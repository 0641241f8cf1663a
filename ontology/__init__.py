"""Resource package: the dxkg ontology and SHACL shapes, installed as `kg.ontology` (see kg.paths)."""
