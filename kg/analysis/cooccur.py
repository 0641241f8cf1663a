"""Co-occurrence of drivers and factors over practices or initiatives, with exact significance.

The counts come from a binary incidence matrix M (units × codes): M.T @ M gives every pair's joint
count at once, which keeps the national-scale data (tens of thousands of units) cheap.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from kg.analysis.data import AnalysisError, Extract, extract

if TYPE_CHECKING:
    import pyoxigraph

KINDS = ("driver", "factor", "factor-driver")
LEVELS = ("practice", "initiative")
# Below these the measures are reported but marked as saying nothing: with a handful of cases a
# single practice moves lift and NPMI a long way.
MIN_JOINT = 3
ALPHA = 0.05


@dataclass
class Pair:
    """One pair of codes: joint count, each side's count, the association measures and a verdict."""

    a: str  # e.g. "driver:3"
    b: str
    a_label: str
    b_label: str
    count: int
    count_a: int
    count_b: int
    n: int  # units in scope
    jaccard: float
    lift: float | None
    npmi: float | None
    p_value: float  # Fisher's exact test, two-sided
    note: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Scope:
    """The units counted and their codes: the incidence before any pairing."""

    level: str
    units: list[str]  # IRIs
    codes: dict[str, list[str]]  # scheme -> ordered codes
    sets: list[set[tuple[str, str]]]  # per unit: {(scheme, code)}


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher's exact test on the 2×2 table [[a, b], [c, d]].

    Sums the hypergeometric probabilities of every table with the same margins that is no more
    probable than the observed one (the same rule as R and scipy, with a small relative tolerance).
    """
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0
    denom = math.comb(n, col1)
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)

    def prob(x: int) -> float:
        return math.comb(row1, x) * math.comb(n - row1, col1 - x) / denom

    observed = prob(a)
    total = sum(p for x in range(lo, hi + 1) if (p := prob(x)) <= observed * (1 + 1e-7))
    return min(1.0, total)


def measures(n11: int, na: int, nb: int, n: int) -> tuple[float, float | None, float | None]:
    """Jaccard, lift and normalised PMI of a pair; None where undefined (a side never occurs)."""
    union = na + nb - n11
    jaccard = n11 / union if union else 0.0
    if not (na and nb and n):
        return jaccard, None, None
    lift = n11 * n / (na * nb)
    if n11 == 0:
        return jaccard, lift, -1.0
    p11 = n11 / n
    if p11 >= 1.0:
        return jaccard, lift, 1.0
    return jaccard, lift, math.log(lift) / -math.log(p11)


def scope(ex: Extract, level: str = "practice", explicit_only: bool = False, domain: str | None = None,
          prefecture: str | None = None) -> Scope:
    """The units (practices or initiatives) in scope and the factor/driver codes each carries."""
    if level not in LEVELS:
        raise AnalysisError(f"unknown level {level!r} (known: {', '.join(LEVELS)})")
    inits = list(ex.initiatives.values())
    if domain:
        known = {k for s, k in ex.concepts if s == "domain"}
        if domain not in known:
            raise AnalysisError(f"unknown domain {domain!r} (known: {', '.join(sorted(known))})")
        inits = [i for i in inits if domain in i.domains]
    if prefecture:
        pref = resolve_prefecture(ex, prefecture)
        inits = [i for i in inits if pref in i.prefectures]
    units: list[str] = []
    sets: list[set[tuple[str, str]]] = []
    for i in sorted(inits, key=lambda x: x.id):
        per_practice = []
        for p in i.practices:
            tags = {(t.scheme, t.code) for t in ex.practices[p].tags
                    if t.scheme in ("factor", "driver") and (t.basis == "explicit" or not explicit_only)}
            per_practice.append((p, tags))
        if level == "practice":
            for p, tags in per_practice:
                units.append(p)
                sets.append(tags)
        else:
            units.append(i.iri)
            sets.append(set().union(*(t for _, t in per_practice)) if per_practice else set())
    return Scope(level, units, {"factor": ex.codes("factor"), "driver": ex.codes("driver")}, sets)


def resolve_prefecture(ex: Extract, name: str) -> str:
    """A prefecture IRI from its id, code or Japanese/English name."""
    key = name.strip().lower()
    for iri, (ident, label) in ex.prefectures.items():
        if key in {ident.lower(), label.ja.lower(), label.en.lower(), _bare(label.ja)}:
            return iri
    known = ", ".join(sorted(ident for ident, _ in ex.prefectures.values()))
    raise AnalysisError(f"unknown prefecture {name!r} (known: {known})")


def _bare(ja: str) -> str:
    """山梨県 -> 山梨 (but 北海道 stays whole: its 道 is part of the usual short name)."""
    return ja[:-1] if len(ja) > 2 and ja[-1] in "都府県" else ja


def incidence(sc: Scope, scheme: str) -> Any:
    """Binary units × codes matrix (scipy CSR) for one scheme."""
    import numpy as np
    from scipy import sparse

    col = {c: j for j, c in enumerate(sc.codes[scheme])}
    rows, cols = [], []
    for r, tags in enumerate(sc.sets):
        for s, c in tags:
            if s == scheme and c in col:
                rows.append(r)
                cols.append(col[c])
    data = np.ones(len(rows), dtype=np.int64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sc.sets), len(col)))


def cooccurrence(store: pyoxigraph.Store | Extract, kind: str = "driver", level: str = "practice",
                 min_count: int = 1, top: int | None = None, explicit_only: bool = False,
                 domain: str | None = None, prefecture: str | None = None, lang: str = "en") -> list[Pair]:
    """Pairs of co-occurring codes, most frequent first (ties: higher NPMI first, then code order).

    kind: driver × driver, factor × factor, or factor × driver; level: counted per practice or per
    initiative (an initiative carries every code of its practices). `n` counts every unit in scope.
    """
    if kind not in KINDS:
        raise AnalysisError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    if top is not None and top <= 0:
        raise AnalysisError(f"--top must be a positive number, not {top}")
    if min_count < 0:
        raise AnalysisError(f"--min-count must be 0 or more, not {min_count}")
    ex = store if isinstance(store, Extract) else extract(store)
    if not ex.initiatives:
        raise AnalysisError("the graph holds no initiatives: build it from data with cases first")
    sc = scope(ex, level, explicit_only, domain, prefecture)
    n = len(sc.units)
    sa, sb = ("factor", "driver") if kind == "factor-driver" else (kind, kind)
    ma, mb = incidence(sc, sa), incidence(sc, sb)
    joint = (ma.T @ mb).toarray()
    ca, cb = ma.sum(axis=0).A1, mb.sum(axis=0).A1
    codes_a, codes_b = sc.codes[sa], sc.codes[sb]
    out = []
    for i, x in enumerate(codes_a):
        for j, y in enumerate(codes_b):
            if sa == sb and j <= i:
                continue
            n11, na, nb = int(joint[i, j]), int(ca[i]), int(cb[j])
            if n11 < min_count:
                continue
            jac, lift, npmi = measures(n11, na, nb, n)
            p = fisher_exact(n11, na - n11, nb - n11, n - na - nb + n11)
            out.append(Pair(f"{sa}:{x}", f"{sb}:{y}", ex.label(sa, x, lang), ex.label(sb, y, lang), n11, na, nb, n,
                            jac, lift, npmi, p, verdict(n11, na, nb, n, p)))
    out.sort(key=lambda r: (-r.count, -(r.npmi if r.npmi is not None else -2), r.a, r.b))
    return out[:top] if top else out


def verdict(n11: int, na: int, nb: int, n: int, p: float) -> str:
    """What a reader may conclude from one pair."""
    if n11 < MIN_JOINT or min(na, nb) < MIN_JOINT:
        return "too few cases to say"
    if p >= ALPHA:
        return "consistent with chance"
    return "more than chance" if n11 * n > na * nb else "less than chance"
