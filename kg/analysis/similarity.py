"""Similar initiatives: a weighted sum of what two initiatives share, computed on the CSR index in numpy.

Each set-valued part (factors, drivers, domains, technologies, stakeholder types) scores the
Jaccard index of the two sets; the municipal context scores population band and 65+ share. The
score is the weighted mean of the parts, so it lies in 0..1 and `--explain` can show each share.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.analysis.cache import columns_of, index_of
from kg.analysis.columns import Columns, csr_rows
from kg.analysis.data import AnalysisError, Extract, Initiative, Municipality
from kg.analysis.index import BANDS, Index

if TYPE_CHECKING:
    from pathlib import Path

    import pyoxigraph

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


def context_similarity(a: Municipality | None, b: Municipality | None) -> tuple[float, float]:
    """(population, ageing) similarity of two municipalities in 0..1; 0 where either is unknown."""
    if a is None or b is None:
        return 0.0, 0.0
    ba, bb = band(a.population), band(b.population)
    pop = 0.0 if ba is None or bb is None else {0: 1.0, 1: 0.5}.get(abs(ba - bb), 0.0)
    age = 0.0
    if a.ageing is not None and b.ageing is not None:
        age = max(0.0, 1 - abs(a.ageing - b.ageing) / AGEING_SPAN)
    return pop, age


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def resolve_initiative(store: pyoxigraph.Store | Extract | Columns | Path, query: str) -> Initiative:
    """An initiative by id, or by words (Japanese or English) found in its name, place or domain.

    Every word must match; one match wins, an exact name beats partial ones, and several matches
    raise AnalysisError listing the candidates.
    """
    from kg.analysis.columns import to_initiative

    col = columns_of(store)
    return to_initiative(col, _resolve(col, query))


def _resolve(col: Columns, query: str) -> int:
    """The row (in id order) of the initiative `query` names; see resolve_initiative."""
    q = query.strip()
    if not q:
        raise AnalysisError("give an initiative id or name")
    ic = col.core["initiatives"]
    ids = ic["id"]
    try:
        return ids.index(q)
    except ValueError:
        pass
    words = [_norm(w) for w in re.split(r"[\s　]+", q) if w]
    nq = _norm(q)
    places = _places(col)
    domains = csr_rows(ic["domains"])
    cc = col.core["concepts"]
    dlabels = {k: (ja, en) for s, k, ja, en in zip(cc["scheme"], cc["code"], cc["ja"], cc["en"], strict=True)
               if s == "domain"}
    hits = []
    for k, ident in enumerate(ids):
        names = [ic["ja"][k], ic["en"][k], *ic["alt"][k]]
        if nq in {_norm(n) for n in names}:
            return k
        hay = _norm(" ".join([ident, *names, *places[k], *(x for d in domains[k] for x in dlabels.get(d, ()))]))
        if all(w in hay for w in words):
            hits.append(k)
    if len(hits) == 1:
        return hits[0]
    if hits:
        listing = "; ".join(f"{ids[k]} ({ic['ja'][k]} / {ic['en'][k]})" for k in hits[:15])
        raise AnalysisError(f"{query!r} matches {len(hits)} initiatives; give one id: {listing}")
    import difflib

    close = difflib.get_close_matches(q, ids + ic["en"], n=5, cutoff=0.4)
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise AnalysisError(f"no initiative matches {query!r}{hint}")


def _places(col: Columns) -> list[list[str]]:
    """Per initiative: the names and ids of its municipalities and prefectures."""
    c = col.core
    mc, pc = c["municipalities"], c["prefectures"]
    munis = {iri: (ja, en, ident) for iri, ja, en, ident in zip(mc["iri"], mc["ja"], mc["en"], mc["id"], strict=True)}
    prefs = {iri: (ident, ja, en) for iri, ident, ja, en in zip(pc["iri"], pc["id"], pc["ja"], pc["en"], strict=True)}
    ic = c["initiatives"]
    return [[x for m in ms for x in munis.get(m, ())] + [x for p in ps for x in prefs.get(p, ())]
            for ms, ps in zip(csr_rows(ic["municipalities"]), csr_rows(ic["prefectures"]), strict=True)]


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


def lead_municipality(ex: Extract, i: Initiative) -> Municipality | None:
    """The first municipality of an initiative that the graph has (the context used for it)."""
    return next((ex.municipalities[m] for m in i.municipalities if m in ex.municipalities), None)


def similar(store: pyoxigraph.Store | Extract | Columns | Path, query: str, top: int = 5,
            weights: dict[str, float] | None = None) -> SimilarResult:
    """The `top` initiatives most like the one `query` names, best first (ties broken by id).

    `store` is an open store, an Extract, columns, or a build folder (read from its analysis cache when current).
    """
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
    ix, get_columns = index_of(store)
    ids = ix["init_id"]
    n = len(ids)
    if not n:
        raise AnalysisError("the graph holds no initiatives: build it from data with cases first")
    hit = np.flatnonzero(ids == query.strip()) if query.strip() else []
    qi = int(hit[0]) if len(hit) else _resolve(get_columns(), query)
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
