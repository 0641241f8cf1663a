"""The vocabularies dxkg uses: the one prefix table and the IRIs the code names, as plain strings.

Plain strings, so that readers (queries, analyses, the endpoint) need not import rdflib; the
dx: terms as an rdflib DefinedNamespace live in kg.terms, for the code that builds graphs.
"""

from __future__ import annotations

from collections.abc import Mapping

ONTOLOGY_IRI = "https://w3id.org/dxkg/ontology"
DX_NS = "https://w3id.org/dxkg/ontology#"
ID_NS = "https://w3id.org/dxkg/id/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
OA_NS = "http://www.w3.org/ns/oa#"
ORG_NS = "http://www.w3.org/ns/org#"
SH_NS = "http://www.w3.org/ns/shacl#"

# The prefix table: predefined in every query (CLI, endpoint, analyses) and bound in every output.
PREFIXES: dict[str, str] = {
    "dx": DX_NS,
    "dxid": ID_NS,
    "skos": SKOS_NS,
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
    "oa": OA_NS,
    "org": ORG_NS,
    "rdfs": RDFS_NS,
    "rdf": RDF_NS,
    "xsd": XSD_NS,
    "owl": "http://www.w3.org/2002/07/owl#",
}
# The prefixes the graph files declare (Turtle and JSON-LD write rdf:type as `a` / `@type`).
GRAPH_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p != "rdf"}

RDF_TYPE = RDF_NS + "type"
RDFS_LABEL = RDFS_NS + "label"
RDFS_SUBCLASS = RDFS_NS + "subClassOf"
XSD_STRING = XSD_NS + "string"


def compact(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """An IRI as `prefix:local` when a prefix covers it, else the IRI itself: the one IRI compactor.

    The longest namespace wins, and the local part must be non-empty and not start with `//`, so
    that the result reads back as the same IRI (in JSON-LD `x://…` would be taken for an IRI).
    """
    best = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(prefixes.get(best, "")) and iri[len(ns):] \
                and not iri[len(ns):].startswith("//"):
            best = prefix
    return f"{best}:{iri[len(prefixes[best]):]}" if best else iri


def id_path(iri: str) -> str:
    """An instance IRI as its path under the id namespace (`municipality/013439`), other IRIs whole."""
    return iri[len(ID_NS):] if iri.startswith(ID_NS) else iri
