"""Similar initiatives: a weighted sum of what two initiatives share, computed on the CSR index in numpy.

Each set-valued part (factors, drivers, domains, technologies, stakeholder types) scores the
Jaccard index of the two sets; the municipal context scores population band and 65+ share. The
score is the weighted mean of the parts, so it lies in 0..1 and `--explain` can show each share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.analysis.index import BANDS, Index
from kg.analysis.records import AnalysisError, Extract, InitiativeRow, MunicipalityRow

if TYPE_CHECKING:
    from kg.adapter import Adapter

SET_PARTS = ("factors", "drivers", "domains", "technologies", "stakeholders")
PARTS = (*SET_PARTS, "population", "ageing")
# Domain and technology say most about what an initiative *is*; the success factors and drivers
# say how it was done; context matters but should not outrank the subject.
DEFAULT_WEIGHTS = {"factors": 1.0, "drivers": 1.5, "domains": 3.0, "technologies": 2.0, "stakeholders": 0.5,
                   "population": 0.5, "ageing": 0.5}
AGEING_SPAN = 0.15  # two municipalities whose 65+ shares differ by this much share nothing on ageing


@dataclass
class Match:
    """One similar initiative, its score and each part's contribution (weighted share of the score)."""

    id: str
    name_ja: str
    name_en: str
    municipalities: list[str]
    score: float
    contributions: dict[str, float]
    shared: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SimilarResult:
    query: Match
    matches: list[Match]
    weights: dict[str, float]


def band(population: int | None) -> int | None:
    """0 (<10k), 1 (<50k), 2 (<200k), 3 (<1M), 4 (1M+); None when unknown."""
    if population is None:
        return None
    return sum(population >= b for b in BANDS)


def context_similarity(a: MunicipalityRow | None, b: MunicipalityRow | None) -> tuple[float, float]:
    """(population, ageing) similarity of two municipalities in 0..1; 0 where either is unknown."""
    if a is None or b is None:
        return 0.0, 0.0
    ba, bb = band(a.population), band(b.population)
    pop = 0.0 if ba is None or bb is None else {0: 1.0, 1: 0.5}.get(abs(ba - bb), 0.0)
    age = 0.0
    if a.ageing is not None and b.ageing is not None:
        age = max(0.0, 1 - abs(a.ageing - b.ageing) / AGEING_SPAN)
    return pop, age


def resolve_initiative(graph: Adapter, query: str) -> InitiativeRow:
    """An initiative by id, or by words (Japanese or English) of its name or place (see kg.names)."""
    return graph.extract.initiatives[graph.resolve(query, {"Initiative"}, "initiative").iri]


def _row(graph: Adapter, query: str) -> int:
    """The index row of the initiative `query` names (by id without decoding anything, else by name)."""
    import numpy as np

    ids = graph.index["init_id"]
    q = query.strip()
    hit: Any = np.flatnonzero(ids == q) if q else []
    if len(hit):
        return int(hit[0])
    iri = graph.resolve(query, {"Initiative"}, "initiative").iri
    return int(np.flatnonzero(ids == iri.rsplit("/", 1)[-1])[0])


def _context(index: Index, qi: int) -> tuple[Any, Any]:
    """Population and ageing similarity of every initiative to initiative `qi` (as context_similarity)."""
    import numpy as np

    lb, la = index["lead_band"], index["lead_ageing"]
    gap = np.abs(lb - lb[qi])
    popsim = np.where(gap == 0, 1.0, np.where(gap == 1, 0.5, 0.0))  # NaN (unknown) compares false: 0
    with np.errstate(invalid="ignore"):
        agesim = np.maximum(0.0, 1 - np.abs(la - la[qi]) / AGEING_SPAN)
    agesim[np.isnan(agesim)] = 0.0
    return popsim, agesim


def lead_municipality(ex: Extract, i: InitiativeRow) -> MunicipalityRow | None:
    """The first municipality of an initiative that the graph has (the context used for it)."""
    return next((ex.municipalities[m] for m in i.municipalities if m in ex.municipalities), None)


def similar(graph: Adapter, query: str, top: int = 5, weights: dict[str, float] | None = None) -> SimilarResult:
    """The `top` initiatives most like the one `query` names, best first (ties broken by id)."""
    import numpy as np

    if top <= 0:
        raise AnalysisError(f"--top must be a positive number, not {top}")
    w = dict(DEFAULT_WEIGHTS)
    for k, v in (weights or {}).items():
        if k not in w:
            raise AnalysisError(f"unknown weight {k!r} (known: {', '.join(PARTS)})")
        if v < 0 or not math.isfinite(v):
            raise AnalysisError(f"weight {k} must be 0 or more, not {v}")
        w[k] = float(v)
    total = sum(w.values())
    if total <= 0:
        raise AnalysisError("at least one weight must be above 0")
    ix = graph.index
    ids = ix["init_id"]
    n = len(ids)
    if not n:
        raise AnalysisError("the graph holds no initiatives: build it from data with cases first")
    qi = _row(graph, query)
    parts: dict[str, Any] = {}
    for part in SET_PARTS:  # Jaccard of each row's set with the query's, by counting shared entries
        ptr, cols = ix[f"{part}_ptr"], ix[f"{part}_ix"]
        sizes = np.diff(ptr).astype(float)
        owner = np.repeat(np.arange(n), np.diff(ptr))
        inter = np.bincount(owner[np.isin(cols, cols[ptr[qi]:ptr[qi + 1]])], minlength=n).astype(float)
        union = sizes + sizes[qi] - inter
        parts[part] = np.divide(inter, union, out=np.zeros(n), where=union > 0)
    parts["population"], parts["ageing"] = _context(ix, qi)
    contrib = {k: w[k] * parts[k] / total for k in PARTS}
    score = sum(contrib.values())
    ranked = np.lexsort((np.arange(n), -score))  # rows are in id order, so ties go by id
    order = [int(k) for k in ranked[:top + 1] if k != qi][:top]
    muni_ja = ix["muni_ja"]

    def feats(k: int, part: str) -> set[str]:
        vocab = ix[f"{part}_vocab"]
        return {str(vocab[j]) for j in ix.row(part, k)}

    def match(k: int) -> Match:
        shared = {p: sorted(feats(k, p) & feats(qi, p)) for p in SET_PARTS}
        return Match(str(ids[k]), str(ix["init_ja"][k]), str(ix["init_en"][k]),
                     [str(muni_ja[m]) for m in ix.row("places", k)], float(score[k]),
                     {p: float(contrib[p][k]) for p in PARTS}, shared)

    return SimilarResult(match(qi), [match(k) for k in order], w)
