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
    Resource: URIRef
    ResourceUse: URIRef
    ResourceKind: URIRef
    ValueQualifier: URIRef
    Evidence: URIRef
    Risk: URIRef
    RiskResponse: URIRef
    KPI: URIRef
    KPIValue: URIRef
    BudgetItem: URIRef

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
    uses: URIRef
    resourceUse: URIRef
    resource: URIRef
    resourceKind: URIRef
    provider: URIRef
    qualifier: URIRef
    evidence: URIRef
    risk: URIRef
    response: URIRef
    kpi: URIRef
    baseline: URIRef
    target: URIRef
    tracks: URIRef
    budgetItem: URIRef
    amount: URIRef
    category: URIRef
    statement: URIRef
    since: URIRef
    score: URIRef

    # Individuals
    explicit: URIRef
    inferred: URIRef
    suggested: URIRef
    approximately: URIRef
    atLeast: URIRef
    moreThan: URIRef
    justUnder: URIRef
    justOver: URIRef
    atMost: URIRef
    lessThan: URIRef
    exact: URIRef
