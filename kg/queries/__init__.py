"""Resource package: the saved SPARQL queries (`*.rq`, each with a `#+ summary:` header)."""
