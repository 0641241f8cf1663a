"""Similar initiatives: what their texts say and what they share, each weighted by how informative it is.

A query is an initiative, a plan measure, free words or a document. Every initiative is scored on
parts, each in 0..1:

- `words`: what the names, descriptions, practices and quotes say (kg.analysis.words). For a query
  that is a document (an initiative, a measure, a file) the cosine of the tf-idf vectors; for typed
  words, BM25 as a share of the most a document could score for those words.
- `domains`, `technologies`, `drivers`, `factors`, `stakeholders`: the shared entries of the two sets,
  weighted by informativeness: each entry weighs its idf, ln((1 + N) / (1 + n)) over the N
  initiatives that have any entry of the part, n of them carrying this one; the part scores the
  weight of what is shared over the weight of the union. A factor every initiative carries weighs
  nothing; a domain only two share weighs a lot.
- `population` (same band 1, next band 0.5) and `ageing` (1 − |difference of the 65+ shares| / 0.15)
  of the lead municipalities.

What an initiative is comes first: the weighted mean of `words`, `domains` and `technologies` (its
subject, S) is the score, raised by how it was done and where, the weighted mean of the other parts
(O): score = S × (1 + O) / 2. A shared way of working or a town of the same size never makes an
initiative about something else similar; among initiatives about the same thing it decides which
to learn from first. (A query with none of the other parts, typed words say, scores S.)

A part the query has nothing of is left out (for everyone alike). A part the query has but a
candidate lacks (no tags curated, population not known) is *unknown*, not 0: it counts as what that
part typically scores (its mean over the candidates that have it) and the match names it, so
"unknown" never reads as "not similar at all".

Which initiatives and tags count: `min_reliability` (primary: only primary sources; secondary: both)
and `include_suggested` (tags with basis `suggested`, left out by default).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.analysis.arrays import expand
from kg.analysis.index import BANDS, RELIABILITY_RANK, Index
from kg.analysis.records import AnalysisError, MeasureRow, MunicipalityRow
from kg.analysis.words import Query, bm25, cosine, query_of_row, query_of_terms, shared_words, topic_names, topics_of

if TYPE_CHECKING:
    from kg.adapter import Adapter

SET_PARTS = ("domains", "technologies", "drivers", "factors", "stakeholders")
CONTEXT_PARTS = ("population", "ageing")
PARTS = ("words", *SET_PARTS, *CONTEXT_PARTS)
SUBJECT = ("words", "domains", "technologies")  # what an initiative is; the rest: how it was done and where
# Within each group, the weights of the weighted mean.
DEFAULT_WEIGHTS = {"words": 5.0, "domains": 2.0, "technologies": 1.5, "drivers": 0.75, "factors": 0.25,
                   "stakeholders": 0.5, "population": 0.25, "ageing": 0.25}
AGEING_SPAN = 0.15  # two municipalities whose 65+ shares differ by this much share nothing on ageing
RELIABILITY = tuple(RELIABILITY_RANK)  # most reliable first; --min-reliability names the lowest counted
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")  # how the data's ids are written (lower case, hyphens)


@dataclass
class Match:
    """One similar initiative: its score, each part's value (None: unknown) and contribution to the
    score, what it shares with the query, and the words that matched with each one's share."""

    id: str
    name_ja: str
    name_en: str
    municipalities: list[str]  # Japanese names
    score: float
    contributions: dict[str, float]
    shared: dict[str, list[str]] = field(default_factory=dict)
    municipalities_en: list[str] = field(default_factory=list)
    parts: dict[str, float | None] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # parts the query has and this initiative lacks
    words: list[tuple[str, float]] = field(default_factory=list)
    source: str = ""


@dataclass
class QueryInfo:
    """What was asked: an initiative, a plan measure, words or a document."""

    kind: str  # initiative | measure | words | text
    id: str
    name_ja: str
    name_en: str
    municipalities: list[str] = field(default_factory=list)
    municipalities_en: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the query's words the graph knows
    unknown_words: list[str] = field(default_factory=list)  # its words no initiative has
    hint: str = ""  # e.g. which initiatives the words also name (in English; `also_named` gives the ids)
    also_named: list[str] = field(default_factory=list)  # initiatives whose name has the words, read as words
    same_name: bool = False  # `also_named` all bear the very name asked (give an id to compare with one)
    topics: list[dict[str, str]] = field(default_factory=list)  # scheme, id, ja, en: domains/technologies named


@dataclass
class SimilarResult:
    query: QueryInfo
    matches: list[Match]
    weights: dict[str, float]  # the weights used; 0 for a part the query has nothing of
    dropped: list[str] = field(default_factory=list)  # parts left out: the query has nothing of them
    typical: dict[str, float] = field(default_factory=dict)  # what an unknown part counts as
    left_out: int = 0  # initiatives with a score above 0 beyond the top
    candidates: int = 0  # initiatives compared
    excluded: int = 0  # initiatives left out by the reliability filter
    sources_counted: list[str] = field(default_factory=list)
    sources_left_out: list[str] = field(default_factory=list)
    min_reliability: str = "primary"
    include_suggested: bool = False


@dataclass
class Spec:
    """A query as the scorer sees it (see `rank`)."""

    info: QueryInfo
    words: Query
    word_mode: str  # cos | bm25
    sets: dict[str, set[str]] = field(default_factory=dict)
    band: float | None = None
    ageing: float | None = None
    self_row: int = -1  # the query's own row among the initiatives, left out of the answer


def band(population: int | None) -> int | None:
    """0 (<10k), 1 (<50k), 2 (<200k), 3 (<1M), 4 (1M+); None when unknown."""
    if population is None:
        return None
    return sum(population >= b for b in BANDS)


def context_similarity(a: MunicipalityRow | None, b: MunicipalityRow | None) -> tuple[float | None, float | None]:
    """(population, ageing) similarity of two municipalities in 0..1; None where either is unknown."""
    ba = band(a.population) if a else None
    bb = band(b.population) if b else None
    pop = None if ba is None or bb is None else {0: 1.0, 1: 0.5}.get(abs(ba - bb), 0.0)
    age = None
    if a is not None and b is not None and a.ageing is not None and b.ageing is not None:
        age = max(0.0, 1 - abs(a.ageing - b.ageing) / AGEING_SPAN)
    return pop, age


def check_reliability(min_reliability: str) -> None:
    if min_reliability not in RELIABILITY:
        raise AnalysisError(f"--min-reliability must be one of {', '.join(RELIABILITY)}, not {min_reliability!r}")


def counted_sources(index: Index, min_reliability: str) -> Any:
    """A boolean per source of the index: counted under `min_reliability` (a source whose reliability
    the graph does not know is never counted, as in co-occurrence)."""
    check_reliability(min_reliability)
    return index["source_rank"] <= RELIABILITY_RANK[min_reliability]


def _weights(weights: dict[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    for k, v in (weights or {}).items():
        if k not in w:
            raise AnalysisError(f"unknown weight {k!r} (known: {', '.join(PARTS)})")
        if v < 0 or not math.isfinite(v):
            raise AnalysisError(f"weight {k} must be 0 or more, not {v}")
        w[k] = float(v)
    if sum(w.values()) <= 0:
        raise AnalysisError("at least one weight must be above 0")
    return w


# ---------------------------------------------------------------- the query


def similar(graph: Adapter, query: str | None = None, top: int = 5, weights: dict[str, float] | None = None, *,
            text: str | None = None, text_name: str = "", min_reliability: str = "primary",
            include_suggested: bool = False) -> SimilarResult:
    """The `top` initiatives most like `query` (an initiative id or name, a plan measure's id or name,
    or free words), or like `text` (a document's text, named `text_name`), best first; ties by id."""
    if top <= 0:
        raise AnalysisError(f"--top must be a positive number, not {top}")
    scorer = Scorer(graph, weights, min_reliability, include_suggested)
    ix = graph.index
    if not len(ix["init_id"]):
        raise AnalysisError("the graph holds no initiatives: build it from data with cases first")
    if text is not None:
        spec = words_spec(ix, text, "text", text_name or "text", mode="cos")
        if not len(spec.words.ix):
            raise AnalysisError(f"{text_name or 'the text'}: none of its words is in any initiative's text")
    elif query is None or not query.strip():
        raise AnalysisError("give an initiative or measure (id or name), words, or --text FILE")
    else:
        spec = _spec(graph, query.strip(), include_suggested)
    result = scorer.rank(spec, top)
    if not result.matches and spec.info.kind == "words":  # read as words that no initiative's text weighs
        raise AnalysisError(f"no initiative matches {query!r}: its words ({', '.join(spec.info.words) or '-'}) "
                            "weigh nothing in any initiative's text")
    return result


# The id paths (kg.namespace.id_path) of the two kinds, as the list of an ambiguous name prints them.
_PATH_KINDS = {"initiative": "Initiative", "measure": "PlannedMeasure"}


def _named(ix: Index, q: str) -> list[tuple[str, str]]:
    """(kind, id) of every initiative and measure whose id, id path (`initiative/<id>`) or whole name `q`
    is (as kg.names normalises): a binary search of the index's sorted names."""
    from kg.names import normalise

    head, _, rest = q.partition("/")
    if head in _PATH_KINDS and rest:
        return [(kind, ident) for kind, ident in _named(ix, rest) if kind == _PATH_KINDS[head] and ident == rest]
    want = normalise(q)
    ptr = ix["name_norm_ptr"]
    lo, hi = 0, len(ptr) - 1
    while lo < hi:  # the first name not below `want`
        mid = (lo + hi) // 2
        if ix.string("name_norm", mid) < want:
            lo = mid + 1
        else:
            hi = mid
    out = set()
    while lo < len(ptr) - 1 and ix.string("name_norm", lo) == want:
        out.add(("PlannedMeasure" if ix["name_measure"][lo] else "Initiative", ix.string("name_id", lo)))
        lo += 1
    return sorted(out)


def _partly_named(ix: Index, q: str) -> list[str]:
    """Initiatives whose name has every word of `q` (to say so when `q` is read as words): each word
    found in the names' blob, its places mapped to names."""
    import numpy as np

    from kg.names import normalise

    blob, ptr = bytes(ix["name_norm_blob"]), ix["name_norm_ptr"]
    found: set[int] | None = None
    for w in normalise(q).split():
        needle, at, hits = w.encode("utf-8"), blob.find(w.encode("utf-8")), set()
        while at >= 0:
            hits.add(int(np.searchsorted(ptr, at, side="right")) - 1)
            at = blob.find(needle, at + 1)
        found = hits if found is None else found & hits
    measure = ix["name_measure"]
    return sorted({ix.string("name_id", k) for k in found or set() if not measure[k]})


def _spec(graph: Adapter, q: str, include_suggested: bool) -> Spec:
    """The query string as an initiative or a measure when it is one's id or whole name, else as words.
    Names are looked up in the analysis index; the resolver (kg.names) is asked only to list the
    candidates of an ambiguous name and the closest names of one that names nothing."""
    import numpy as np

    from kg.names import NotFound

    ix = graph.index
    hit = np.flatnonzero(ix["init_id"] == q)
    if len(hit):  # an initiative id: no need to read the names
        return initiative_spec(graph, int(hit[0]), include_suggested)
    from kg.names import Ambiguous

    named = _named(ix, q)
    same_name: list[str] = []
    if len(named) > 1:  # the resolver picks by its levels (an id before a name) or lists the candidates
        try:
            n = graph.resolve(q, {kind for kind, _ in named}, "initiative or measure")
            named = [(n.kind, n.iri.rsplit("/", 1)[-1])]
        except Ambiguous:
            # A name several initiatives share (スマート農業) is a topic too: ranked as words, the note naming
            # them (one is asked for by its id).
            same_name, named = [ident for _, ident in named], []
    if named:
        kind, ident = named[0]
        if kind == "Initiative":
            return initiative_spec(graph, int(np.flatnonzero(ix["init_id"] == ident)[0]), include_suggested)
        return measure_spec(graph, ident, include_suggested)

    def closest() -> list[str]:
        pool = [n for n in graph.resolver.names if n.kind in ("Initiative", "PlannedMeasure")]
        return graph.resolver.suggest(q, pool)

    head, _, rest = q.partition("/")
    if _ID.fullmatch(q) or head in _PATH_KINDS and rest:  # an id or id path misspelt, not words
        raise NotFound(f"no initiative or measure in the graph has the id {q!r}", closest())
    if rest and "/" not in rest and " " not in rest and head in _path_heads(graph):
        raise AnalysisError(f"{q!r} names a {head.replace('-', ' ')}: similar compares initiatives and plan "
                            "measures (give one's id or name), free words, or a document (--text FILE)")
    spec = words_spec(ix, q, "words", q, mode="bm25")
    # Typed words no text has but a domain's or technology's name has ask for that topic: "wildlife"
    # finds the bear map, whose text says ヒグマ, through its domain 鳥獣対策 / Wildlife management.
    for scheme, ids in topics_of(ix, spec.words).items():
        if ids:
            spec.sets[f"{scheme}s" if scheme == "domain" else "technologies"] = set(ids)
        for ident in ids:
            names = topic_names(ix, scheme, ident)
            spec.info.topics.append({"scheme": scheme, "id": ident, "ja": names[0], "en": names[-1]})
    if not len(spec.words.ix):
        suggestions = closest()
        extra = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
        raise AnalysisError(f"no initiative or measure is called {q!r}, and no initiative's text has its "
                            f"words{extra}")
    partly = same_name or _partly_named(ix, q)
    if partly:
        spec.info.also_named, spec.info.same_name = partly, bool(same_name)
        spec.info.hint = (f"read as words; by name they also match {', '.join(partly[:3])}"
                          + (" …" if len(partly) > 3 else "")
                          + (" (give an id to compare with one)" if same_name else ""))
    return spec


def _path_heads(graph: Adapter) -> set[str]:
    """The first step of the id paths of the entities the graph names (municipality, plan, driver …):
    `municipality/013439` names a place, not words to rank by."""
    from kg.namespace import id_path

    return {id_path(n.iri).partition("/")[0] for n in graph.resolver.names}


def words_spec(index: Index, text: str, kind: str, name: str, mode: str) -> Spec:
    """Free words or a document's text as a query (the only kind that needs the tokeniser)."""
    from kg.text.tokens import Tokeniser

    terms = Tokeniser().terms(text)
    q = query_of_terms(index, terms)
    vocab = index["words_vocab"]
    parts, split = _katakana_parts(vocab, q.unknown)
    if parts:  # オンデマンドバス, one unknown word to Sudachi, is デマンド and バス to the graph
        q = query_of_terms(index, terms + parts)
        q.unknown = [u for u in q.unknown if u not in split]
    return Spec(QueryInfo(kind, name, name, name, words=[str(vocab[k]) for k in q.ix], unknown_words=q.unknown),
                q, mode)


_KATAKANA = re.compile(r"[ァ-ヺー]+")


def _katakana_parts(vocab: Any, unknown: list[str]) -> tuple[list[str], set[str]]:
    """The graph's katakana words (two characters or more) inside unknown katakana compounds (four or more),
    the longest where they overlap, and the compounds they split: Sudachi keeps a compound it does not know
    whole, and the texts may spell its parts."""
    compounds = [u for u in unknown if len(u) >= 4 and _KATAKANA.fullmatch(u)]
    if not compounds:
        return [], set()
    words = [w for w in (str(v) for v in vocab) if len(w) >= 2 and _KATAKANA.fullmatch(w)]
    out: list[str] = []
    split: set[str] = set()
    for compound in compounds:
        found = [w for w in words if w in compound and w != compound]
        longest = [w for w in found if not any(w != v and w in v for v in found)]
        if longest:
            out += longest
            split.add(compound)
    return out, split


def initiative_spec(graph: Adapter, row: int, include_suggested: bool) -> Spec:
    ix = graph.index
    sets = {p: _row_set(ix, p, row) for p in ("domains", "technologies", "stakeholders")}
    sets.update(_own_codes(ix, row, _tag_filter(ix, "secondary", include_suggested)))
    places = ix.row("places", row)
    ja, en = ([str(ix["muni_ja"][m]) for m in places], [str(ix["muni_en"][m]) for m in places]) if places \
        else _prefectures(ix, row)
    band_, ageing = float(ix["lead_band"][row]), float(ix["lead_ageing"][row])
    info = QueryInfo("initiative", str(ix["init_id"][row]), ix.string("init_ja", row), ix.string("init_en", row),
                     ja, en)
    return Spec(info, query_of_row(ix, "init", row), "cos", sets, None if math.isnan(band_) else band_,
                None if math.isnan(ageing) else ageing, row)


def measure_spec(graph: Adapter, ident: str, include_suggested: bool) -> Spec:
    """A plan measure of the graph as a query, from the analysis index: its words, domains,
    technologies, drivers and its plan's town."""
    from kg.analysis.words import row_of

    ix = graph.index
    k = row_of(ix, "measure", ident)
    if k is None:
        raise AnalysisError(f"no plan measure in the graph has the id {ident!r}")
    bases = ("explicit", "inferred", "suggested") if include_suggested else ("explicit", "inferred")
    drivers = {code for code, _, basis in (t.partition(":") for t in ix.string("measure_drivers", k).split())
               if basis in bases}
    sets = {"domains": set(ix.string("measure_domains", k).split()),
            "technologies": set(ix.string("measure_technologies", k).split()), "drivers": drivers}
    words = query_of_row(ix, "measure", k)
    vocab = ix["words_vocab"]
    town_ja, town_en = ix.string("measure_town_ja", k), ix.string("measure_town_en", k)
    info = QueryInfo("measure", ident, ix.string("measure_ja", k), ix.string("measure_en", k),
                     [town_ja] if town_ja else [], [town_en] if town_en else [],
                     words=[str(vocab[j]) for j in words.ix])
    band_, ageing = float(ix["measure_band"][k]), float(ix["measure_ageing"][k])
    return Spec(info, words, "cos", sets, None if math.isnan(band_) else band_, None if math.isnan(ageing) else ageing)


def measure_row_spec(graph: Adapter, me: MeasureRow, town: MunicipalityRow | None, include_suggested: bool,
                     words: Query | None = None) -> Spec:
    """A measure (of the graph, or found in a plan's text with `words` given) as a query."""
    from kg.analysis.words import row_of

    ix = graph.index
    if words is None:
        row = row_of(ix, "measure", me.id)
        words = query_of_row(ix, "measure", row) if row is not None else Query(*_empty(), [])
    bases = ("explicit", "inferred", "suggested") if include_suggested else ("explicit", "inferred")
    sets = {"domains": set(me.domains), "technologies": set(me.technologies),
            "drivers": {t.code for t in me.tags if t.scheme == "driver" and t.basis in bases}}
    vocab = ix["words_vocab"]
    info = QueryInfo("measure", me.id, me.name.ja, me.name.en, [town.name.ja] if town else [],
                     [town.name.en] if town else [], words=[str(vocab[k]) for k in words.ix])
    b = band(town.population) if town else None
    return Spec(info, words, "cos", sets, None if b is None else float(b), town.ageing if town else None)


def _empty() -> tuple[Any, Any]:
    import numpy as np

    return np.zeros(0, dtype=np.int64), np.zeros(0)


def _row_set(ix: Index, part: str, row: int) -> set[str]:
    vocab = ix[f"{part}_vocab"]
    return {str(vocab[j]) for j in ix.row(part, row)}


# ---------------------------------------------------------------- scoring


def _tag_filter(ix: Index, min_reliability: str, include_suggested: bool) -> Any:
    """A boolean per practice tag: counted (its basis, its source's reliability)."""
    import numpy as np

    bases = ix["bases"].tolist()
    wanted = [bases.index(b) for b in ("explicit", "inferred", *(("suggested",) if include_suggested else ()))
              if b in bases]
    ok = np.isin(ix["tag_basis"], wanted)
    counted = counted_sources(ix, min_reliability)
    return ok & counted[ix["tag_source"]] if len(ix["tag_source"]) else ok


@dataclass
class _Entries:
    """One set-valued part of every initiative as parallel arrays: the row of each entry and its
    position in `vocab` (each pair once)."""

    rows: Any
    cols: Any
    vocab: list[str]
    # filled on first use by _overlap: what does not depend on the query
    known: Any = None
    df: Any = None
    idf: Any = None
    floor: float = 0.0
    total: Any = None
    at: dict[str, int] = field(default_factory=dict)

    def of(self, row: int) -> set[str]:
        import numpy as np

        lo, hi = np.searchsorted(self.rows, [row, row + 1])
        return {self.vocab[c] for c in self.cols[lo:hi].tolist()}


def _entries(ix: Index, part: str) -> _Entries:
    import numpy as np

    ptr = ix[f"{part}_ptr"]
    return _Entries(np.repeat(np.arange(len(ptr) - 1), np.diff(ptr)), ix[f"{part}_ix"], ix[f"{part}_vocab"].tolist())


def _code_entries(ix: Index, tag_ok: Any) -> dict[str, _Entries]:
    """Each initiative's factors and drivers from the tags counted (rows sorted, each code once)."""
    import numpy as np

    n = len(ix["init_id"])
    iptr = ix["init_practice_ptr"]
    of_init, pos = expand(iptr[:-1], np.diff(iptr))
    prac = ix["init_practices"][pos]
    tptr = ix["practice_tag_ptr"]
    of_pair, tag = expand(tptr[prac], np.diff(tptr)[prac])
    keep = tag_ok[tag] if len(tag) else np.zeros(0, dtype=bool)
    scheme = ix["term_scheme"]
    has = np.zeros((n, max(1, len(scheme))), dtype=bool)  # initiative × code: each pair once, in order
    has[of_init[of_pair][keep], ix["tag_term"][tag][keep]] = True
    r, t = np.nonzero(has)
    out = {}
    for part in ("factors", "drivers"):
        sel = scheme[t] == part[:-1] if len(t) else np.zeros(0, dtype=bool)
        out[part] = _Entries(r[sel], t[sel], ix["term_code"].tolist())
    return out


def _own_codes(ix: Index, row: int, tag_ok: Any) -> dict[str, set[str]]:
    """One initiative's factors and drivers from the tags counted."""
    out: dict[str, set[str]] = {"factors": set(), "drivers": set()}
    iptr, tptr = ix["init_practice_ptr"], ix["practice_tag_ptr"]
    for p in ix["init_practices"][iptr[row]:iptr[row + 1]].tolist():
        for tag in range(int(tptr[p]), int(tptr[p + 1])):
            if tag_ok[tag]:
                term = int(ix["tag_term"][tag])
                scheme = str(ix["term_scheme"][term])
                if scheme in ("factor", "driver"):
                    out[scheme + "s"].add(str(ix["term_code"][term]))
    return out


def _overlap(e: _Entries, n: int, query: set[str]) -> tuple[Any, Any]:
    """(similarity, known) of every initiative's set with the query's (see the module docstring);
    known where the initiative has any entry of the part."""
    import numpy as np

    if e.idf is None:  # what does not depend on the query, once per part
        e.known = np.bincount(e.rows, minlength=n) > 0
        have = float(e.known.sum())
        e.df = np.bincount(e.cols, minlength=len(e.vocab)).astype(float)
        e.idf = np.log((1 + have) / (1 + e.df))
        e.floor = math.log((1 + have) / 3)  # the weight of an entry only two initiatives share
        e.total = np.bincount(e.rows, weights=e.idf[e.cols], minlength=n)
        e.at = {}
        for k, x in enumerate(e.vocab):
            e.at.setdefault(x, k)
    have = float(e.known.sum())
    df, at = e.df, e.at
    # an entry of the query no initiative has (a measure's technology, say) weighs the most and matches none
    qcols = np.array(sorted({at[x] for x in query if x in at and df[at[x]] > 0}), dtype=np.int64)
    qw = float(e.idf[qcols].sum()) + sum(1 for x in query if x not in at or df[at[x]] == 0) * math.log(1 + have)
    hit = np.zeros(len(e.vocab), dtype=bool)
    hit[qcols] = True
    inter = np.bincount(e.rows, weights=np.where(hit[e.cols], e.idf[e.cols], 0.0), minlength=n)
    union = np.maximum(e.total + qw - inter, e.floor)
    return np.divide(inter, union, out=np.zeros(n), where=union > 0), e.known


class Scorer:
    """Scores queries against every initiative under one reliability filter, reusing what all queries
    share (the candidates, the set parts' entries) so that a plan's many measures cost little each."""

    def __init__(self, graph: Adapter, weights: dict[str, float] | None = None, min_reliability: str = "primary",
                 include_suggested: bool = False):
        import numpy as np

        self.ix = ix = graph.index
        self.weights = _weights(weights)
        self.min_reliability = min_reliability
        self.include_suggested = include_suggested
        self.n = n = len(ix["init_id"])
        self.isrc = isrc = ix["init_source"]
        self.candidate = counted_sources(ix, min_reliability)[isrc] if n else np.zeros(0, dtype=bool)
        self._entries: dict[str, _Entries] = {}

    def entries(self, part: str) -> _Entries:
        if part not in self._entries:
            if part in ("factors", "drivers"):
                self._entries.update(_code_entries(self.ix, _tag_filter(self.ix, self.min_reliability,
                                                                        self.include_suggested)))
            else:
                self._entries[part] = _entries(self.ix, part)
        return self._entries[part]

    def rank(self, spec: Spec, top: int, exclude: Any = None, floor: float = 0.0) -> SimilarResult:
        """The `top` initiatives most like `spec` among the counted ones (less `exclude`, a boolean mask),
        scoring above `floor`; `left_out` counts the others above it."""
        import numpy as np

        ix, n, w0 = self.ix, self.n, self.weights
        candidate = self.candidate.copy()
        excluded = int((~candidate).sum()) - (1 if 0 <= spec.self_row and not candidate[spec.self_row] else 0)
        if spec.self_row >= 0:
            candidate[spec.self_row] = False
        if exclude is not None:
            candidate &= ~exclude
        values: dict[str, Any] = {}
        known: dict[str, Any] = {}
        dropped = []
        if len(spec.words.ix):
            values["words"] = cosine(ix, "init", spec.words) if spec.word_mode == "cos" else _bm25_share(ix, spec.words)
            known["words"] = np.ones(n, dtype=bool)
        else:
            dropped.append("words")
        for part in SET_PARTS:
            q = spec.sets.get(part, set())
            if not q:
                dropped.append(part)
                continue
            values[part], known[part] = _overlap(self.entries(part), n, q)
        lb, la = ix["lead_band"], ix["lead_ageing"]
        if spec.band is None:
            dropped.append("population")
        else:
            gap = np.abs(lb - spec.band)
            values["population"] = np.where(gap == 0, 1.0, np.where(gap == 1, 0.5, 0.0))
            known["population"] = ~np.isnan(lb)
        if spec.ageing is None:
            dropped.append("ageing")
        else:
            with np.errstate(invalid="ignore"):
                values["ageing"] = np.nan_to_num(np.maximum(0.0, 1 - np.abs(la - spec.ageing) / AGEING_SPAN))
            known["ageing"] = ~np.isnan(la)

        w = {p: (w0[p] if p in values else 0.0) for p in PARTS}
        w_subject = sum(w[p] for p in SUBJECT)
        w_other = sum(w[p] for p in PARTS if p not in SUBJECT)
        if w_subject <= 0:
            raise AnalysisError("the query has nothing of what an initiative is about to compare (words, domains, "
                                "technologies), or those parts weigh 0")
        typical: dict[str, float] = {}
        filled: dict[str, Any] = {}
        for p, v in values.items():
            ok = known[p] & candidate
            typical[p] = float(v[ok].mean()) if ok.any() else 0.0
            filled[p] = np.where(known[p], v, typical[p])
        subject = sum((w[p] * filled[p] for p in values if p in SUBJECT), np.zeros(n)) / w_subject
        other = (sum((w[p] * filled[p] for p in values if p not in SUBJECT), np.zeros(n)) / w_other
                 if w_other > 0 else None)
        lift = (1 + other) / 2 if other is not None else np.ones(n)
        score = np.where(candidate, subject * lift, -1.0)
        order = np.lexsort((np.arange(n), -score))
        positive = int(((score > floor) & candidate).sum())
        chosen = [int(k) for k in order[:top] if candidate[k] and score[k] > floor]

        def match(k: int) -> Match:
            places = ix.row("places", k)
            ja, en = [str(ix["muni_ja"][m]) for m in places], [str(ix["muni_en"][m]) for m in places]
            if not places:  # an initiative of a prefecture: its name stands for the place
                ja, en = _prefectures(ix, k)
            parts: dict[str, float | None] = {p: (float(values[p][k]) if known[p][k] else None) for p in values}
            # score = S × (1 + O) / 2 = S / 2 + S × O / 2: each subject part's share of S / 2, each other
            # part's of S × O / 2 (with no other part, score = S)
            half = 0.5 if other is not None else 1.0
            contrib = {p: float(w[p] * filled[p][k] / w_subject * half if p in SUBJECT
                                else subject[k] * w[p] * filled[p][k] / w_other / 2) for p in values}
            shared = {p: sorted(self.entries(p).of(k) & spec.sets[p]) if p in values and known[p][k] else []
                      for p in SET_PARTS}
            return Match(str(ix["init_id"][k]), ix.string("init_ja", k), ix.string("init_en", k),
                         ja, float(score[k]), contrib, shared, en, parts, [p for p in values if not known[p][k]],
                         shared_words(ix, "init", k, spec.words, spec.word_mode) if "words" in values else [],
                         str(ix["source_id"][self.isrc[k]]))

        isrc = self.isrc
        used = np.unique(isrc[self.candidate]).tolist()
        unused = sorted(set(np.unique(isrc[~self.candidate]).tolist()) - set(used))
        return SimilarResult(spec.info, [match(k) for k in chosen], w, dropped, typical, positive - len(chosen),
                             int(candidate.sum()), excluded,
                             [str(ix["source_id"][s]) for s in used if ix["source_id"][s]],
                             [str(ix["source_id"][s]) for s in unused if ix["source_id"][s]],
                             self.min_reliability, self.include_suggested)


def _prefectures(ix: Index, k: int) -> tuple[list[str], list[str]]:
    """The Japanese and English names of an initiative's prefectures."""
    iris = ix["pref_iri"].tolist()
    vocab = ix["prefectures_vocab"]
    at = [iris.index(str(vocab[j])) for j in ix.row("prefectures", k) if str(vocab[j]) in iris]
    return [str(ix["pref_ja"][i]) for i in at], [str(ix["pref_en"][i]) for i in at]


def rank(graph: Adapter, spec: Spec, top: int, weights: dict[str, float] | None = None,
         min_reliability: str = "primary", include_suggested: bool = False) -> SimilarResult:
    """Score every counted initiative against `spec` (see the module docstring)."""
    return Scorer(graph, weights, min_reliability, include_suggested).rank(spec, top)


def _bm25_share(ix: Index, q: Query) -> Any:
    """BM25 over the most a document could score for the query's words ((k1 + 1) × their idf): 0..1."""
    from kg.analysis.words import BM25_K1

    return bm25(ix, q) / (BM25_K1 + 1)
