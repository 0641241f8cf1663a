"""The dx: terms as an rdflib DefinedNamespace (a misspelt term fails at once), and rdflib namespaces for ours.

The prefix table and the plain IRI strings are in kg.namespace; this module is for code that imports rdflib.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from kg.namespace import DX_NS, ID_NS, OA_NS, ORG_NS

ID = Namespace(ID_NS)
OA = Namespace(OA_NS)
ORG = Namespace(ORG_NS)


class DX(DefinedNamespace):
    """Terms of https://w3id.org/dxkg/ontology# (defined in ontology/dxkg.ttl)."""

    _NS = Namespace(DX_NS)
    _fail = True

    # Classes
    Municipality: URIRef
    Prefecture: URIRef
    Initiative: URIRef
    Practice: URIRef
    Stakeholder: URIRef
    Participation: URIRef
    Outcome: URIRef
    ProfileFigure: URIRef
    SuccessFactor: URIRef
    Driver: URIRef
    ValueCategory: URIRef
    Principle: URIRef
    Pitfall: URIRef
    Countermeasure: URIRef
    Plan: URIRef
    PlannedMeasure: URIRef
    SourceDocument: URIRef
    Tag: URIRef
    TagBasis: URIRef
    Domain: URIRef
    Technology: URIRef
    StakeholderType: URIRef

    # Properties
    prefecture: URIRef
    municipality: URIRef
    localGovernmentCode: URIRef
    municipalityKind: URIRef
    population: URIRef
    populationDate: URIRef
    figure: URIRef
    figureKind: URIRef
    practice: URIRef
    factor: URIRef
    driver: URIRef
    principle: URIRef
    stakeholder: URIRef
    participation: URIRef
    participant: URIRef
    role: URIRef
    stakeholderType: URIRef
    basedIn: URIRef
    outcome: URIRef
    indicator: URIRef
    value: URIRef
    unit: URIRef
    date: URIRef
    valueCategory: URIRef
    measure: URIRef
    section: URIRef
    domain: URIRef
    technology: URIRef
    quote: URIRef
    basis: URIRef
    score: URIRef
    sourceKind: URIRef
    reliability: URIRef

    # Individuals
    explicit: URIRef
    inferred: URIRef
    suggested: URIRef
