"""The dxkg vocabulary as an rdflib DefinedNamespace: a misspelt term fails at once."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/dxkg/ontology"
ID = Namespace("https://w3id.org/dxkg/id/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")


class DX(DefinedNamespace):
    """Terms of https://w3id.org/dxkg/ontology# (defined in ontology/dxkg.ttl)."""

    _NS = Namespace("https://w3id.org/dxkg/ontology#")
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
    sourceKind: URIRef
    reliability: URIRef

    # Individuals
    explicit: URIRef
    inferred: URIRef
