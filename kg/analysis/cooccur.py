"""Co-occurrence of drivers and factors over initiatives or practices, with statistics a researcher can cite.

The counts come from a binary incidence matrix M (units × codes): M.T @ M gives every pair's joint
count at once, which keeps the national-scale data (tens of thousands of units) cheap. M is built
from the numeric index (kg.analysis.index) with array operations, no loop per unit.

For each pair: Jaccard, lift and NPMI; the odds ratio with a 95 % confidence interval (the
conditional maximum-likelihood estimate with its exact interval, as R's fisher.test gives, up to
`EXACT_MAX_N` units; above that the sample odds ratio with Woolf's logit interval, which is accurate
there and fast; left out where a pair has too few cases to say anything); Fisher's exact two-sided p;
and the Benjamini–Hochberg q-value over every pair of
the kind tested at once (66 driver pairs test 66 hypotheses: raw p-values would mislead). All from
scipy.stats. A pair of drivers the source itself put in one value group is noted: their
co-occurrence may restate the source's grouping rather than find something new.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from kg.analysis.arrays import expand
from kg.analysis.index import RELIABILITY_RANK, Index
from kg.analysis.records import AnalysisError

if TYPE_CHECKING:
    from kg.adapter import Adapter

KINDS = ("driver", "factor", "factor-driver")
LEVELS = ("initiative", "practice")
# What a level counts, in Japanese and English (施策 an initiative, 取組 one of its practices).
UNIT_NAMES = {"initiative": ("施策", "initiatives"), "practice": ("取組", "practices")}
RELIABILITIES = tuple(RELIABILITY_RANK)
# Below these the measures are reported but marked as saying nothing: with a handful of cases a
# single practice moves lift and NPMI a long way.
MIN_JOINT = 3
ALPHA = 0.05
EXACT_MAX_N = 2000  # the exact conditional interval costs seconds per pair on tables of tens of thousands

VERDICTS = {
    "few": ("事例が少なく判断できない", "too few cases to say"),
    "chance": ("偶然と区別できない", "consistent with chance"),
    "more": ("偶然より多く共起", "together more often than chance"),
    "less": ("偶然より少なく共起", "together less often than chance"),
}


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
    odds_ratio: float | None
    or_low: float | None  # 95 % confidence interval of the odds ratio
    or_high: float | None
    p_value: float  # Fisher's exact test, two-sided
    q_value: float  # Benjamini–Hochberg over every pair of the kind in scope
    note: str  # the verdict, in the chosen language
    same_group: str = ""  # both drivers in this value group of the source (its own grouping)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Cooccurrence:
    """The pairs and what they were counted over, so a reader can cite how."""

    kind: str
    level: str
    n: int  # units counted: those in scope that carry a code of each scheme paired
    pairs: list[Pair]  # after --min-count and --top
    tested: int  # pairs in the multiple-testing family (every pair of the kind)
    shown_of: int  # pairs left after --min-count, before --top
    sources: list[str]  # ids of the sources whose tags were counted
    left_out: list[str]  # ids of the sources left out by the reliability filter
    filters: dict[str, Any] = field(default_factory=dict)
    why_empty: str = ""  # when no pair is left: why, in the chosen language
    untagged: int = 0  # units in scope left out for carrying no code of a scheme paired (not observed there)
    method: str = ("odds ratio: conditional MLE with exact 95% CI (as R fisher.test) up to n=2000, else sample "
                   "OR with Woolf 95% CI; p: Fisher's exact, two-sided; q: Benjamini-Hochberg FDR over all pairs "
                   "tested")

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["pairs"] = [p.as_dict() for p in self.pairs]
        return out


@dataclass
class Scope:
    """The units counted and the tags they carry, as parallel arrays: the incidence before any pairing."""

    level: str
    n: int  # units in scope
    codes: dict[str, list[str]]  # scheme -> ordered codes
    rows: Any  # numpy int array: the unit of each tag in scope
    terms: Any  # numpy int array: the tag's (scheme, code), an index into the index's terms
    term_scheme: list[str]
    term_code: list[str]
    sources: list[str]  # sources whose tags are counted
    left_out: list[str]  # sources the reliability filter left out


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


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher's exact p of the 2×2 table [[a, b], [c, d]] (scipy.stats.fisher_exact)."""
    from scipy.stats import fisher_exact as fisher

    return float(fisher([[a, b], [c, d]], alternative="two-sided").pvalue)


def odds_ratio(a: int, b: int, c: int, d: int) -> tuple[float | None, float | None, float | None]:
    """The odds ratio of [[a, b], [c, d]] and its 95 % interval (see the module docstring); None if undefined."""
    import warnings

    from scipy.stats.contingency import odds_ratio as scipy_or

    n = a + b + c + d
    if min(a + b, c + d, a + c, b + d) == 0:
        return None, None, None  # a margin is empty: no odds to compare
    kind = "conditional" if n <= EXACT_MAX_N else "sample"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a zero cell: the estimate is 0 or ∞, said as such
        result = scipy_or([[a, b], [c, d]], kind=kind)
        low, high = result.confidence_interval(0.95)

    def finite(x: float) -> float | None:
        return float(x) if math.isfinite(x) else None

    return finite(result.statistic), finite(low), finite(high)


def codes(index: Index, scheme: str) -> list[str]:
    """The codes of a framework scheme in their natural order (A..F, 1..12)."""
    found = [k for s, k in zip(index["concept_scheme"].tolist(), index["concept_code"].tolist(), strict=True)
             if s == scheme]
    return sorted(found, key=lambda k: (len(k), k))


def labels(index: Index, lang: str) -> dict[tuple[str, str], str]:
    """(scheme, code) -> label in `lang`, the other language where it is missing."""
    first, second = ("concept_ja", "concept_en") if lang == "ja" else ("concept_en", "concept_ja")
    return {(s, k): a or b for s, k, a, b in zip(index["concept_scheme"].tolist(), index["concept_code"].tolist(),
                                                 index[first].tolist(), index[second].tolist(), strict=True)}


def _groups(index: Index) -> dict[str, str]:
    """Driver code -> the id of the value group the source puts it in."""
    return {k: g for s, k, g in zip(index["concept_scheme"].tolist(), index["concept_code"].tolist(),
                                    index["concept_group"].tolist(), strict=True) if s == "driver" and g}


def _rows_with(index: Index, part: str, value: str) -> Any:
    """Boolean mask of the initiatives whose set `part` holds `value`."""
    import numpy as np

    ptr = index[f"{part}_ptr"]
    mask = np.zeros(len(ptr) - 1, dtype=bool)
    hit = np.flatnonzero(index[f"{part}_vocab"] == value)
    if len(hit):
        mask[np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))[index[f"{part}_ix"] == hit[0]]] = True
    return mask


def scope(graph: Adapter, level: str = "initiative", explicit_only: bool = False, domain: str | None = None,
          prefecture: str | None = None, min_reliability: str = "primary",
          include_suggested: bool = False) -> Scope:
    """The units (initiatives or practices) in scope and the factor/driver tags each carries.

    Initiatives are taken in id order and practices in their initiative's order; an initiative
    carries every tag of its practices. Only initiatives and tags from sources at least as reliable
    as `min_reliability` count; suggested tags only when asked.
    """
    import numpy as np

    if level not in LEVELS:
        raise AnalysisError(f"unknown level {level!r} (known: {', '.join(LEVELS)})")
    if min_reliability not in RELIABILITY_RANK:
        raise AnalysisError(f"unknown reliability {min_reliability!r} (known: {', '.join(RELIABILITIES)})")
    ix = graph.index
    trusted = ix["source_rank"] <= RELIABILITY_RANK[min_reliability]
    keep = trusted[ix["init_source"]] if len(ix["init_id"]) else np.zeros(0, dtype=bool)
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
    sel = wanted[terms] & trusted[ix["tag_source"][tag]]
    bases = ix["bases"].tolist()
    allowed = ["explicit"] if explicit_only else ["explicit", "inferred"] + (["suggested"] if include_suggested else [])
    sel &= np.isin(ix["tag_basis"][tag], [bases.index(b) for b in allowed if b in bases])
    if level == "practice":
        n, rows = len(unit_prac), of_unit[sel]
    else:
        n, rows = len(chosen), of_init[of_unit][sel]
    source_ids = ix["source_id"].tolist()
    counted = sorted({source_ids[k] for k in ix["tag_source"][tag][sel].tolist()})
    left_out = sorted(sid for sid, ok in zip(source_ids, trusted.tolist(), strict=True) if not ok)
    return Scope(level, n, {"factor": codes(ix, "factor"), "driver": codes(ix, "driver")}, rows, terms[sel],
                 term_scheme, ix["term_code"].tolist(), counted, left_out)


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


def cooccurrence(graph: Adapter, kind: str = "driver", level: str = "initiative", min_count: int = 1,
                 top: int | None = None, explicit_only: bool = False, domain: str | None = None,
                 prefecture: str | None = None, lang: str = "ja", min_reliability: str = "primary",
                 include_suggested: bool = False) -> Cooccurrence:
    """Pairs of co-occurring codes, most frequent first (ties: higher NPMI first, then code order).

    kind: driver × driver, factor × factor, or factor × driver; level: counted per initiative (the
    default: an initiative carries every code of its practices, and per practice nearly every pair
    occurs once or twice) or per practice. `n` counts the units in scope that carry a code of each scheme
    paired: a unit no source tagged with any driver was not observed for drivers (a council report names
    no driver), and counting it as carrying neither of a pair made pairs look significant that are not.
    """
    import numpy as np
    from scipy.stats import false_discovery_control

    if kind not in KINDS:
        raise AnalysisError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    if top is not None and top <= 0:
        raise AnalysisError(f"--top must be a positive number, not {top}")
    if min_count < 0:
        raise AnalysisError(f"--min-count must be 0 or more, not {min_count}")
    ix = graph.index
    if not len(ix["init_id"]):
        raise AnalysisError("the graph holds no initiatives: build it from data with cases first")
    sc = scope(graph, level, explicit_only, domain, prefecture, min_reliability, include_suggested)
    sa, sb = ("factor", "driver") if kind == "factor-driver" else (kind, kind)
    ma, mb = incidence(sc, sa), incidence(sc, sb)
    observed = (ma.sum(axis=1) > 0) & (mb.sum(axis=1) > 0)
    ma, mb = ma[observed], mb[observed]
    n = int(observed.sum())
    joint = np.rint(ma.T @ mb).astype(np.int64)  # BLAS on 0/1 floats: exact counts
    ca, cb = ma.sum(axis=0).astype(np.int64), mb.sum(axis=0).astype(np.int64)
    codes_a, codes_b = sc.codes[sa], sc.codes[sb]
    label = labels(ix, lang)
    groups = _groups(ix)
    group_label = {k: v for (s, k), v in label.items() if s == "value-category"}
    family: list[tuple[int, int]] = [(i, j) for i in range(len(codes_a)) for j in range(len(codes_b))
                                     if not (sa == sb and j <= i)]
    cells = [(int(joint[i, j]), int(ca[i]), int(cb[j])) for i, j in family]
    pvals = [fisher_exact(n11, na - n11, nb - n11, n - na - nb + n11) for n11, na, nb in cells]
    qvals = false_discovery_control(pvals, method="bh").tolist() if pvals else []
    out = []
    for (i, j), (n11, na, nb), p, q in zip(family, cells, pvals, qvals, strict=True):
        if n11 < min_count:
            continue
        x, y = codes_a[i], codes_b[j]
        jac, lift, npmi = measures(n11, na, nb, n)
        ratio = low = high = None
        if n11 >= MIN_JOINT and min(na, nb) >= MIN_JOINT:  # below that an interval says nothing, and costs most
            ratio, low, high = odds_ratio(n11, na - n11, nb - n11, n - na - nb + n11)
        same = groups.get(x) if sa == sb == "driver" and groups.get(x) and groups.get(x) == groups.get(y) else ""
        out.append(Pair(f"{sa}:{x}", f"{sb}:{y}", label.get((sa, x), x), label.get((sb, y), y), n11, na, nb, n,
                        jac, lift, npmi, ratio, low, high, p, q, verdict(n11, na, nb, n, q, lang),
                        group_label.get(same, same) if same else ""))
    out.sort(key=lambda r: (-r.count, -(r.npmi if r.npmi is not None else -2), r.a, r.b))
    result = Cooccurrence(kind, level, n, out[:top] if top else out, len(family), len(out), sc.sources, sc.left_out,
                          {"explicit_only": explicit_only, "domain": domain, "prefecture": prefecture,
                           "min_count": min_count, "min_reliability": min_reliability,
                           "include_suggested": include_suggested}, untagged=sc.n - n)
    if not out:
        result.why_empty = why_empty(sc.n, len(sc.rows), min_count, lang)
    return result


def why_empty(units: int, tags: int, min_count: int, lang: str) -> str:
    """Why no pair is left, in words a reader can act on."""
    ja = lang == "ja"
    if units == 0:
        return "この条件に合う施策がありません（フィルターを緩めてください）" if ja else \
            "no initiative matches these filters (loosen them)"
    if tags == 0:
        return (f"条件に合う{units}件にはタグがありません" if ja else
                f"the {units} matching units carry no factor or driver tag")
    return (f"条件に合う{units}件で{min_count}回以上共起する組はありません（--min-count を下げてください）" if ja else
            f"no pair occurs together {min_count} or more times among the {units} matching units (lower --min-count)")


def verdict(n11: int, na: int, nb: int, n: int, q: float, lang: str = "en") -> str:
    """What a reader may conclude from one pair (judged on the q-value, not the raw p)."""
    if n11 < MIN_JOINT or min(na, nb) < MIN_JOINT:
        key = "few"
    elif q >= ALPHA:
        key = "chance"
    else:
        key = "more" if n11 * n > na * nb else "less"
    return VERDICTS[key][0 if lang == "ja" else 1]
