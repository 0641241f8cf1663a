"""Co-occurrence of drivers and factors over practices or initiatives, with exact significance.

The counts come from a binary incidence matrix M (units × codes): M.T @ M gives every pair's joint
count at once, which keeps the national-scale data (tens of thousands of units) cheap. M is built
from the numeric index (kg.analysis.index) with array operations, no loop per unit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from kg.analysis.index import Index, expand
from kg.analysis.records import AnalysisError

if TYPE_CHECKING:
    from kg.adapter import Adapter

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
    """The units counted and the tags they carry, as parallel arrays: the incidence before any pairing."""

    level: str
    n: int  # units in scope
    codes: dict[str, list[str]]  # scheme -> ordered codes
    rows: Any  # numpy int array: the unit of each tag in scope
    terms: Any  # numpy int array: the tag's (scheme, code), an index into columns.core["terms"]
    term_scheme: list[str]
    term_code: list[str]


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher's exact test on the 2×2 table [[a, b], [c, d]].

    Sums the hypergeometric probabilities of every table with the same margins that is no more
    probable than the observed one (the same rule as R and scipy, with a small relative tolerance).
    Works in log space with numpy, so tables of tens of thousands of units cost microseconds.
    """
    return _fisher(a, b, c, d, _log_factorials(a + b + c + d))


def _log_factorials(n: int) -> Any:
    import numpy as np

    return np.array([math.lgamma(k + 1) for k in range(n + 1)])


def _fisher(a: int, b: int, c: int, d: int, lf: Any) -> float:
    import numpy as np

    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)
    x = np.arange(lo, hi + 1)
    logp = (lf[row1] - lf[x] - lf[row1 - x] + lf[n - row1] - lf[col1 - x] - lf[n - row1 - col1 + x]
            - lf[n] + lf[col1] + lf[n - col1])
    observed = logp[a - lo]
    return float(min(1.0, np.exp(logp[logp <= observed + math.log1p(1e-7)]).sum()))


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


def codes(index: Index, scheme: str) -> list[str]:
    """The codes of a framework scheme in their natural order (A..F, 1..12)."""
    found = [k for s, k in zip(index["concept_scheme"].tolist(), index["concept_code"].tolist(), strict=True)
             if s == scheme]
    return sorted(found, key=lambda k: (len(k), k))


def labels(index: Index, lang: str) -> dict[tuple[str, str], str]:
    """(scheme, code) -> label in `lang`, the other language where it is missing (as Extract.label)."""
    first, second = ("concept_ja", "concept_en") if lang == "ja" else ("concept_en", "concept_ja")
    return {(s, k): a or b for s, k, a, b in zip(index["concept_scheme"].tolist(), index["concept_code"].tolist(),
                                                 index[first].tolist(), index[second].tolist(), strict=True)}


def _rows_with(index: Index, part: str, value: str) -> Any:
    """Boolean mask of the initiatives whose set `part` holds `value`."""
    import numpy as np

    ptr = index[f"{part}_ptr"]
    mask = np.zeros(len(ptr) - 1, dtype=bool)
    hit = np.flatnonzero(index[f"{part}_vocab"] == value)
    if len(hit):
        mask[np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))[index[f"{part}_ix"] == hit[0]]] = True
    return mask


def scope(graph: Adapter, level: str = "practice", explicit_only: bool = False, domain: str | None = None,
          prefecture: str | None = None) -> Scope:
    """The units (practices or initiatives) in scope and the factor/driver tags each carries.

    Initiatives are taken in id order and practices in their initiative's order; an initiative
    carries every tag of its practices.
    """
    import numpy as np

    if level not in LEVELS:
        raise AnalysisError(f"unknown level {level!r} (known: {', '.join(LEVELS)})")
    ix = graph.index
    keep = np.ones(len(ix["init_id"]), dtype=bool)
    if domain:
        known = set(codes(ix, "domain"))
        if domain not in known:
            raise AnalysisError(f"unknown domain {domain!r} (known: {', '.join(sorted(known))})")
        keep &= _rows_with(ix, "domains", domain)
    if prefecture:
        keep &= _rows_with(ix, "prefectures", graph.resolve(prefecture, {"Prefecture"}, "prefecture").iri)
    chosen = np.flatnonzero(keep)
    iptr = ix["init_practice_ptr"]
    of_init, pos = expand(iptr[chosen], np.diff(iptr)[chosen])
    unit_prac = ix["init_practices"][pos]
    tptr = ix["practice_tag_ptr"]
    of_unit, tag = expand(tptr[unit_prac], np.diff(tptr)[unit_prac])
    terms = ix["tag_term"][tag]
    term_scheme = ix["term_scheme"].tolist()
    wanted = np.array([s in ("factor", "driver") for s in term_scheme] or [False], dtype=bool)
    sel = wanted[terms]
    if explicit_only:
        bases = ix["bases"].tolist()
        sel &= ix["tag_basis"][tag] == (bases.index("explicit") if "explicit" in bases else -1)
    if level == "practice":
        n, rows = len(unit_prac), of_unit[sel]
    else:
        n, rows = len(chosen), of_init[of_unit][sel]
    return Scope(level, n, {"factor": codes(ix, "factor"), "driver": codes(ix, "driver")}, rows, terms[sel],
                 term_scheme, ix["term_code"].tolist())


def incidence(sc: Scope, scheme: str) -> Any:
    """Binary units × codes matrix (dense numpy float: a dozen codes per scheme) for one scheme."""
    import numpy as np

    col = {c: j for j, c in enumerate(sc.codes[scheme])}
    term_col = np.array([col.get(k, -1) if s == scheme else -1 for s, k in zip(sc.term_scheme, sc.term_code,
                                                                              strict=True)] or [-1], dtype=np.int64)
    cols = term_col[sc.terms]
    ok = cols >= 0
    m = np.zeros((sc.n, len(col)))
    m[sc.rows[ok], cols[ok]] = 1.0  # a unit carrying a code twice (e.g. explicit and inferred) counts once
    return m


def cooccurrence(graph: Adapter, kind: str = "driver", level: str = "practice",
                 min_count: int = 1, top: int | None = None, explicit_only: bool = False,
                 domain: str | None = None, prefecture: str | None = None, lang: str = "en") -> list[Pair]:
    """Pairs of co-occurring codes, most frequent first (ties: higher NPMI first, then code order).

    kind: driver × driver, factor × factor, or factor × driver; level: counted per practice or per
    initiative (an initiative carries every code of its practices). `n` counts every unit in scope.
    """
    import numpy as np

    if kind not in KINDS:
        raise AnalysisError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    if top is not None and top <= 0:
        raise AnalysisError(f"--top must be a positive number, not {top}")
    if min_count < 0:
        raise AnalysisError(f"--min-count must be 0 or more, not {min_count}")
    ix = graph.index
    if not len(ix["init_id"]):
        raise AnalysisError("the graph holds no initiatives: build it from data with cases first")
    sc = scope(graph, level, explicit_only, domain, prefecture)
    n = sc.n
    sa, sb = ("factor", "driver") if kind == "factor-driver" else (kind, kind)
    ma, mb = incidence(sc, sa), incidence(sc, sb)
    joint = np.rint(ma.T @ mb).astype(np.int64)  # BLAS on 0/1 floats: exact counts
    ca, cb = ma.sum(axis=0).astype(np.int64), mb.sum(axis=0).astype(np.int64)
    codes_a, codes_b = sc.codes[sa], sc.codes[sb]
    label = labels(ix, lang)
    lf = _log_factorials(n)
    out = []
    for i, x in enumerate(codes_a):
        for j, y in enumerate(codes_b):
            if sa == sb and j <= i:
                continue
            n11, na, nb = int(joint[i, j]), int(ca[i]), int(cb[j])
            if n11 < min_count:
                continue
            jac, lift, npmi = measures(n11, na, nb, n)
            p = _fisher(n11, na - n11, nb - n11, n - na - nb + n11, lf)
            out.append(Pair(f"{sa}:{x}", f"{sb}:{y}", label.get((sa, x), x), label.get((sb, y), y), n11, na, nb, n,
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
