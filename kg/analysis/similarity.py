"""Similar initiatives: a weighted sum of what two initiatives share, computed on sparse matrices.

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

from kg.analysis.data import AnalysisError, Extract, Initiative, Municipality, extract

if TYPE_CHECKING:
    import pyoxigraph

SET_PARTS = ("factors", "drivers", "domains", "technologies", "stakeholders")
PARTS = (*SET_PARTS, "population", "ageing")
# Domain and technology say most about what an initiative *is*; the success factors and drivers
# say how it was done; context matters but should not outrank the subject.
DEFAULT_WEIGHTS = {"factors": 1.0, "drivers": 1.5, "domains": 3.0, "technologies": 2.0, "stakeholders": 0.5,
                   "population": 0.5, "ageing": 0.5}
# Population bands (upper bounds): villages and small towns, towns, small cities, cities, large cities.
BANDS = (10_000, 50_000, 200_000, 1_000_000)
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


def resolve_initiative(ex: Extract, query: str) -> Initiative:
    """An initiative by id, or by words (Japanese or English) found in its name, place or domain.

    Every word must match; one match wins, an exact name beats partial ones, and several matches
    raise AnalysisError listing the candidates.
    """
    q = query.strip()
    if not q:
        raise AnalysisError("give an initiative id or name")
    by_id = {i.id: i for i in ex.initiatives.values()}
    if q in by_id:
        return by_id[q]
    words = [_norm(w) for w in re.split(r"[\s　]+", q) if w]
    hits = []
    for i in ex.initiatives.values():
        names = [i.name.ja, i.name.en, *i.alt_names]
        if _norm(q) in {_norm(n) for n in names}:
            return i
        hay = _norm(" ".join([i.id, *names, *_places(ex, i), *_domain_labels(ex, i)]))
        if all(w in hay for w in words):
            hits.append(i)
    if len(hits) == 1:
        return hits[0]
    if hits:
        listing = "; ".join(f"{i.id} ({i.name.ja} / {i.name.en})" for i in sorted(hits, key=lambda x: x.id)[:15])
        raise AnalysisError(f"{query!r} matches {len(hits)} initiatives; give one id: {listing}")
    import difflib

    close = difflib.get_close_matches(q, list(by_id) + [i.name.en for i in by_id.values()], n=5, cutoff=0.4)
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise AnalysisError(f"no initiative matches {query!r}{hint}")


def _places(ex: Extract, i: Initiative) -> list[str]:
    out = []
    for m in i.municipalities:
        if m in ex.municipalities:
            mu = ex.municipalities[m]
            out += [mu.name.ja, mu.name.en, mu.id]
    for p in i.prefectures:
        if p in ex.prefectures:
            ident, lab = ex.prefectures[p]
            out += [ident, lab.ja, lab.en]
    return out


def _domain_labels(ex: Extract, i: Initiative) -> list[str]:
    return [x for d in i.domains for lab in [ex.concepts.get(("domain", d))] if lab for x in (lab.ja, lab.en)]


def _features(ex: Extract, i: Initiative, part: str) -> set[str]:
    if part in ("factors", "drivers"):
        scheme = part[:-1]
        return {t.code for p in i.practices for t in ex.practices[p].tags if t.scheme == scheme}
    if part == "stakeholders":
        return set(i.stakeholder_types)
    return set(getattr(i, part))


def lead_municipality(ex: Extract, i: Initiative) -> Municipality | None:
    """The first municipality of an initiative that the graph has (the context used for it)."""
    return next((ex.municipalities[m] for m in i.municipalities if m in ex.municipalities), None)


def similar(store: pyoxigraph.Store | Extract, query: str, top: int = 5,
            weights: dict[str, float] | None = None) -> SimilarResult:
    """The `top` initiatives most like the one `query` names, best first (ties broken by id)."""
    import numpy as np
    from scipy import sparse

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
    ex = store if isinstance(store, Extract) else extract(store)
    if not ex.initiatives:
        raise AnalysisError("the graph holds no initiatives: build it from data with cases first")
    target = resolve_initiative(ex, query)
    inits = sorted(ex.initiatives.values(), key=lambda i: i.id)
    qi = next(k for k, i in enumerate(inits) if i.iri == target.iri)
    n = len(inits)
    parts: dict[str, Any] = {}
    for part in SET_PARTS:
        feats = [_features(ex, i, part) for i in inits]
        vocab = {f: j for j, f in enumerate(sorted(set().union(*feats)))}
        rows = [r for r, fs in enumerate(feats) for _ in fs]
        cols = [vocab[f] for fs in feats for f in sorted(fs)]
        m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(1, len(vocab))))
        inter = (m @ m[qi].T).toarray().ravel()
        sizes = np.asarray(m.sum(axis=1)).ravel()
        union = sizes + sizes[qi] - inter
        parts[part] = np.divide(inter, union, out=np.zeros(n), where=union > 0)
    qm = lead_municipality(ex, target)
    ctx = np.array([context_similarity(qm, lead_municipality(ex, i)) for i in inits]).reshape(n, 2)
    parts["population"], parts["ageing"] = ctx[:, 0], ctx[:, 1]
    contrib = {k: w[k] * parts[k] / total for k in PARTS}
    score = sum(contrib.values())
    order = sorted((k for k in range(n) if k != qi), key=lambda k: (-score[k], inits[k].id))[:top]

    def match(k: int) -> Match:
        i = inits[k]
        shared = {p: sorted(_features(ex, i, p) & _features(ex, target, p)) for p in SET_PARTS}
        return Match(i.id, i.name.ja, i.name.en,
                     [ex.municipalities[m].name.ja for m in i.municipalities if m in ex.municipalities],
                     float(score[k]), {p: float(contrib[p][k]) for p in PARTS}, shared)

    return SimilarResult(match(qi), [match(k) for k in order], w)
