"""What the curated texts say, as word vectors computed once at build time.

Every initiative is one document: its names, description and quote, and the names, descriptions and
quotes of its practices and the indicators of its outcomes, in Japanese and English (kg.text's
SudachiPy terms, so `bus` meets `バス`). Practices, plan measures, risks, pitfalls and
countermeasures are documents too, so a plan's measures can be matched against cases and the
framework without loading the tokeniser. How informative a word is comes from the initiatives: the
inverse document frequency over the whole graph (a word every case uses says nothing).

Two weightings are kept, both as sparse rows over one vocabulary:

- `cos`: sublinear tf × idf, each row of unit length; the cosine of two rows is symmetric and in 0..1,
  which is what "this initiative is like that one" needs;
- `bm25` (initiatives only): Okapi BM25's per-word weight, which is what a short query of a few words
  needs (a long document does not win by being long). A query's BM25 score is divided by the sum of its
  words' idf, so 1.0 means "every word of the query, once, in a document of average length".

The arrays go into the analysis index (kg.analysis.index) under `words_*` and `<collection>_words_*`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

from kg.analysis.records import (
    CountermeasureRow,
    Extract,
    InitiativeRow,
    Label,
    MeasureRow,
    PitfallRow,
    PracticeRow,
    RiskRow,
)


class Terms(Protocol):
    """What makes terms of a text: a Tokeniser, or a TermMemo in front of one."""

    def terms(self, text: str) -> list[str]: ...


class Index(Protocol):
    """What this module reads of kg.analysis.index.Index (which imports this module to build it)."""

    derived: dict[str, Any]

    def __getitem__(self, key: str) -> Any: ...

COLLECTIONS = ("init", "practice", "measure", "pitfall", "counter", "risk", "pitfall_name", "counter_name",
               "domain_label", "technology_label")
TOPICS = ("domain", "technology")  # whose names typed words may give (see topics_of)
BM25_K1 = 1.2
BM25_B = 0.75


def _both(label: Label) -> list[str]:
    return [x for x in (label.ja, label.en) if x]


def initiative_own_texts(i: InitiativeRow, shared_quotes: frozenset[str] = frozenset()) -> list[str]:
    """An initiative's own words: names, description, quote. Place names are left out, so two
    initiatives of one town are not alike for being in the same town; so is a quote that several
    initiatives share (a source's list naming them together says nothing about each)."""
    own = [*_both(i.name), *i.alt_names, *_both(i.description), "" if i.quote in shared_quotes else i.quote]
    return [x for x in own if x]


def initiative_texts(ex: Extract, i: InitiativeRow, shared_quotes: frozenset[str] = frozenset()) -> list[str]:
    """What an initiative's document is made of: its own words twice (what it is), its practices' (how
    it was done) and its outcomes' indicators. build_words counts the same, tokenising each text once."""
    own = initiative_own_texts(i, shared_quotes)
    out = own + own
    for p in i.practices:
        if p in ex.practices:
            out += practice_texts(ex.practices[p])
    for o in i.outcomes:
        out += _both(o.indicator)
    return out


def practice_texts(p: PracticeRow) -> list[str]:
    return [x for x in (*_both(p.name), *_both(p.description), p.quote) if x]


def measure_texts(m: MeasureRow) -> list[str]:
    return [x for x in (*_both(m.name), *_both(m.description), m.quote) if x]


def pitfall_texts(f: PitfallRow) -> list[str]:
    return [*_both(f.name), *_both(f.description)]


def counter_texts(c: CountermeasureRow) -> list[str]:
    return [x for x in (*_both(c.name), *_both(c.description), c.quote) if x]


def risk_texts(r: RiskRow) -> list[str]:
    return [x for x in (*_both(r.name), *_both(r.response), r.quote) if x]


def _shared_quotes(ex: Extract) -> frozenset[str]:
    quotes = Counter(i.quote for i in ex.initiatives.values() if i.quote)
    return frozenset(q for q, k in quotes.items() if k > 1)


def collections(ex: Extract) -> dict[str, list[tuple[str, list[str]]]]:
    """(id, texts) of every document of each collection, in the index's row order (by IRI or id)."""
    shared = _shared_quotes(ex)
    return {"init": [(ex.initiatives[k].id, initiative_texts(ex, ex.initiatives[k], shared))
                     for k in sorted(ex.initiatives)], **_collections_but_init(ex)}


def _collections_but_init(ex: Extract) -> dict[str, list[tuple[str, list[str]]]]:
    """collections() without the initiatives, whose documents build_words puts together from their parts."""
    measures = sorted((m for p in ex.plans.values() for m in p.measures), key=lambda m: m.iri)
    risks = sorted((r for p in ex.plans.values() for r in p.risks), key=lambda r: r.iri)
    return {
        "practice": [(ex.practices[k].id, practice_texts(ex.practices[k])) for k in sorted(ex.practices)],
        "measure": [(m.id, measure_texts(m)) for m in measures],
        "pitfall": [(f.id, pitfall_texts(f)) for f in sorted(ex.pitfalls, key=lambda f: f.id)],
        "counter": [(c.id, counter_texts(c)) for c in sorted(ex.countermeasures, key=lambda c: c.id)],
        "risk": [(r.id, risk_texts(r)) for r in risks],
        # A pitfall's or countermeasure's Japanese name alone: the words a plan that speaks to it would use.
        "pitfall_name": [(f.id, [f.name.ja] if f.name.ja else []) for f in sorted(ex.pitfalls, key=lambda f: f.id)],
        "counter_name": [(c.id, [c.name.ja] if c.name.ja else [])
                         for c in sorted(ex.countermeasures, key=lambda c: c.id)],
        # A domain's or technology's name, a row per language: the words that name it (topics_of).
        **{f"{scheme}_label": [(c.code, [name]) for c in ex.concepts if c.scheme == scheme
                               for name in dict.fromkeys((c.name.ja, c.name.en)) if name] for scheme in TOPICS},
    }


def _documents(ex: Extract) -> tuple[dict[str, list[tuple[str, list[str]]]], list[InitiativeRow],
                                      list[list[str]], list[list[str]]]:
    """What build_words tokenises: the collections but the initiatives; and the initiatives, each one's own
    texts and its outcomes' (an initiative's document as initiative_texts makes it, see _init_rows: its
    practices' terms are those of the practice collection)."""
    shared = _shared_quotes(ex)
    inits = [ex.initiatives[k] for k in sorted(ex.initiatives)]
    return (_collections_but_init(ex), inits, [initiative_own_texts(i, shared) for i in inits],
            [[x for o in i.outcomes for x in _both(o.indicator)] for i in inits])


def build_words(ex: Extract, tokeniser: Terms | None = None) -> dict[str, Any]:
    """The word arrays of the analysis index: vocabulary, idf, and per collection its ids and rows."""
    if tokeniser is None:
        from kg.text.tokens import Tokeniser

        tokeniser = Tokeniser()
    docs, inits, own_texts, outcome_texts = _documents(ex)
    learn = getattr(tokeniser, "learn", None)  # a TermMemo tokenises the new texts beforehand, one process per core
    if learn is not None:
        groups = [texts for c in docs for _, texts in docs[c]] + own_texts + outcome_texts
        learn([_joined(texts) for texts in groups if texts])
    import numpy as np  # after `learn`, which forks only while this process runs no thread (see build_index)

    terms = {c: [_terms(tokeniser, texts) for _, texts in docs[c]] for c in docs}
    own = [_terms(tokeniser, texts) for texts in own_texts]
    outcomes = [_terms(tokeniser, texts) for texts in outcome_texts]
    vocab = sorted(set().union(*(doc for c in docs for doc in terms[c]), *own, *outcomes))
    at = {t: k for k, t in enumerate(vocab)}
    csr = {c: _csr(len(terms[c]), *_occurrences(terms[c], at), len(vocab)) for c in docs}
    csr["init"] = _init_rows(ex, inits, own, outcomes, at, csr["practice"])
    n = len(inits)
    df = np.bincount(csr["init"][1], minlength=len(vocab)).astype(np.float64)
    idf = np.log((1 + n) / (1 + df))  # a word every initiative has weighs 0; one no initiative has matches none
    # How many documents of any collection (the names apart) use each word: what "telling" means below.
    docs_df = np.zeros(len(vocab), dtype=np.int64)
    for c in COLLECTIONS[:6]:
        docs_df += np.bincount(csr[c][1], minlength=len(vocab))
    n_docs = sum(len(csr[c][0]) - 1 for c in COLLECTIONS[:6])
    a: dict[str, Any] = {"words_vocab": np.array(vocab, dtype=str) if vocab else np.zeros(0, dtype="U1"),
                         "words_idf": idf.astype(np.float64), "words_docs_df": docs_df,
                         "words_docs": np.array([n_docs], dtype=np.int64)}
    init_ptr, _, init_tf = csr["init"]  # an initiative's length: how many terms its document has
    lengths = np.bincount(np.repeat(np.arange(n), np.diff(init_ptr)), weights=init_tf, minlength=n)
    avgdl = float(lengths.mean()) if n and lengths.sum() else 1.0
    for c in COLLECTIONS:
        ptr_a, ix_a, tf_a = csr[c]
        w = (1 + np.log(tf_a)) * idf[ix_a] if len(tf_a) else np.zeros(0)
        rows = np.repeat(np.arange(len(ptr_a) - 1), np.diff(ptr_a))
        norms = np.sqrt(np.bincount(rows, weights=w * w, minlength=len(ptr_a) - 1))
        if c != "init":  # an initiative's row is its row in init_id
            a[f"{c}_words_id"] = np.array([d for d, _ in docs[c]], dtype=str) if docs[c] else np.zeros(0, dtype="U1")
        if c.endswith("_label"):  # the names themselves, to say which topic typed words were read as
            a[f"{c}_words_text"] = (np.array([t[0] for _, t in docs[c]], dtype=str) if docs[c]
                                    else np.zeros(0, dtype="U1"))
        a[f"{c}_words_ptr"] = ptr_a
        a[f"{c}_words_ix"] = ix_a
        a[f"{c}_words_cos"] = (w / np.where(norms[rows] > 0, norms[rows], 1.0)).astype(np.float32)
        if c == "init":
            dl = lengths[rows]
            a["init_words_bm25"] = (idf[ix_a] * tf_a * (BM25_K1 + 1)
                                    / (tf_a + BM25_K1 * (1 - BM25_B + BM25_B * dl / avgdl))).astype(np.float32)
    return a


def _init_rows(ex: Extract, inits: list[InitiativeRow], own: list[list[str]], outcomes: list[list[str]],
               at: dict[str, int], practices: tuple[Any, Any, Any]) -> tuple[Any, Any, Any]:
    """The initiatives' CSR arrays (see _csr): each one's own terms twice, its outcomes' once and its
    practices' rows (`practices`, by IRI) added as they are, not tokenised nor counted again."""
    import numpy as np

    from kg.analysis.arrays import expand

    row_of = {iri: k for k, iri in enumerate(sorted(ex.practices))}
    pairs = np.array([(k, row_of[p]) for k, i in enumerate(inits) for p in i.practices if p in row_of],
                     dtype=np.int64).reshape(-1, 2)  # (initiative row, practice row)
    ptr, ix, tf = practices
    of_pair, pos = expand(ptr[pairs[:, 1]], np.diff(ptr)[pairs[:, 1]])  # each pair's practice entries
    own_rows, own_words = _occurrences(own, at)
    outcome_rows, outcome_words = _occurrences(outcomes, at)
    return _csr(len(inits), np.concatenate([own_rows, outcome_rows, pairs[:, 0][of_pair]]),
                np.concatenate([own_words, outcome_words, ix[pos]]), len(at),
                np.concatenate([np.full(len(own_words), 2.0), np.ones(len(outcome_words)), tf[pos]]))


def _occurrences(docs: list[list[str]], at: dict[str, int]) -> tuple[Any, Any]:
    """Every term of the documents as (row, vocabulary position) arrays."""
    import numpy as np

    sizes = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    words = np.fromiter(map(at.__getitem__, chain.from_iterable(docs)), dtype=np.int64, count=int(sizes.sum()))
    return np.repeat(np.arange(len(docs), dtype=np.int64), sizes), words


def _csr(n: int, rows: Any, words: Any, width: int, weights: Any = None) -> tuple[Any, Any, Any]:
    """n documents as CSR arrays, ptr (int64), ix (int32: a row's distinct words, in vocabulary order) and
    tf (float), from (row, word) occurrences, each counting its weight (1 without weights)."""
    import numpy as np

    # Each occurrence as one number, row by row: the distinct ones, sorted, are the rows' words in order,
    # their summed weights the tf (one sort in numpy, not a Counter and a sort per document).
    width = max(1, width)
    keys, at = np.unique(rows * width + words, return_inverse=True)
    tf = np.bincount(at, weights=weights, minlength=len(keys)).astype(float)
    ptr = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(np.bincount(keys // width, minlength=n))])
    return ptr.astype(np.int64), (keys % width).astype(np.int32), tf


def row_terms(index: Index, collection: str, row: int) -> set[int]:
    """The vocabulary positions of a document's words."""
    ptr = index[f"{collection}_words_ptr"]
    return set(index[f"{collection}_words_ix"][ptr[row]:ptr[row + 1]].tolist())


def speaks_to(index: Index, name_words: set[int], doc_words: set[int], telling: int = 2,
              telling_share: float = 0.15) -> list[str]:
    """The words of a short name (a pitfall's, a countermeasure's) that a document shares with it, when
    at least `telling` of them are telling (fewer than `telling_share` of the graph's documents use
    each); else []. Two telling words in common is the least that reads as speaking of the same thing."""
    df, n = index["words_docs_df"], int(index["words_docs"][0])
    shared = sorted(name_words & doc_words)
    if sum(1 for k in shared if df[k] < telling_share * n) < telling:
        return []
    vocab = index["words_vocab"]
    return [str(vocab[k]) for k in shared]


def _terms(tokeniser: Terms, texts: list[str]) -> list[str]:
    return tokeniser.terms(_joined(texts)) if texts else []


def _joined(texts: list[str]) -> str:
    return "\n".join(texts)


@dataclass
class Query:
    """A query as word positions in the vocabulary and their counts; `unknown` are its words no
    document of the graph has (they can match nothing)."""

    ix: Any  # numpy int array, sorted
    tf: Any  # numpy float array
    unknown: list[str]
    unit: Any = None  # the cos weights of a document of the graph, when the query is one


def query_of_terms(index: Index, terms: Iterable[str]) -> Query:
    """A query from terms made by kg.text (free words or a document)."""
    import numpy as np

    vocab = index["words_vocab"]
    c = Counter(terms)
    known: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    for t in sorted(c):
        k = int(np.searchsorted(vocab, t))
        (known if k < len(vocab) and vocab[k] == t else unknown).append((k, t))
    return Query(np.array([k for k, _ in known], dtype=np.int64),
                 np.array([c[t] for _, t in known], dtype=float), [t for _, t in unknown])


def topics_of(index: Index, q: Query) -> dict[str, list[str]]:
    """The domains and technologies that typed words ask for: those whose name has a word that no
    document of the graph uses, so that the words alone would find nothing. "wildlife" and "鳥獣"
    name 鳥獣対策 / Wildlife management (the bear map's text says ヒグマ), "防災" names 防災・安全;
    "観光", "drone" or "elderly" are in the initiatives' own texts, which the words part scores."""
    docs_df = index["words_docs_df"]
    only_named = {t for t in q.ix.tolist() if docs_df[t] == 0}
    out: dict[str, list[str]] = {}
    for scheme in TOPICS:
        ids = index[f"{scheme}_label_words_id"].tolist()
        out[scheme] = sorted({str(ident) for k, ident in enumerate(ids)
                              if row_terms(index, f"{scheme}_label", k) & only_named})
    return out


def topic_names(index: Index, scheme: str, ident: str) -> list[str]:
    """A domain's or technology's names as the index holds them (Japanese first, then English)."""
    ids = index[f"{scheme}_label_words_id"].tolist()
    return [str(t) for i, t in zip(ids, index[f"{scheme}_label_words_text"].tolist(), strict=True) if i == ident]


def query_of_row(index: Index, collection: str, row: int) -> Query:
    """A query from a document of the graph (its terms and counts, from the cos weights' support)."""
    import numpy as np

    ptr = index[f"{collection}_words_ptr"]
    ix = index[f"{collection}_words_ix"][ptr[row]:ptr[row + 1]].astype(np.int64)
    unit = index[f"{collection}_words_cos"][ptr[row]:ptr[row + 1]].astype(float)
    return Query(ix, np.ones(len(ix)), [], unit)


def matrix(index: Index, collection: str, weights: str = "cos") -> Any:
    """The collection's rows as a scipy CSR matrix (documents × vocabulary), made once per index."""
    key = f"matrix:{collection}:{weights}"
    if key not in index.derived:
        from scipy.sparse import csr_matrix

        ptr = index[f"{collection}_words_ptr"]
        data = index[f"{collection}_words_{weights}"]
        index.derived[key] = csr_matrix((data, index[f"{collection}_words_ix"], ptr),
                                        shape=(len(ptr) - 1, len(index["words_vocab"])))
    return index.derived[key]


def cosine_vector(index: Index, q: Query) -> Any:
    """The query as a unit vector in the cos weighting (its own tf, sublinear, × idf)."""
    import numpy as np

    v = np.zeros(len(index["words_vocab"]))
    if len(q.ix):
        w = (1 + np.log(q.tf)) * index["words_idf"][q.ix] if q.unit is None else q.unit
        norm = math.sqrt(float(w @ w))
        if norm > 0:
            v[q.ix] = w / norm
    return v


def cosine(index: Index, collection: str, q: Query) -> Any:
    """The cosine of the query with every document of `collection` (0..1)."""
    import numpy as np

    if not len(q.ix):
        return np.zeros(len(index[f"{collection}_words_ptr"]) - 1)
    return np.asarray(matrix(index, collection) @ cosine_vector(index, q), dtype=float)


def bm25(index: Index, q: Query) -> Any:
    """BM25 of the query against every initiative, over the sum of the query words' idf (see the module
    docstring); 0 for a query with no known word."""
    import numpy as np

    n = len(index["init_words_ptr"]) - 1
    if not len(q.ix):
        return np.zeros(n)
    v = np.zeros(len(index["words_vocab"]))
    v[q.ix] = q.tf
    top = float(index["words_idf"][q.ix] @ q.tf)
    return np.asarray(matrix(index, "init", "bm25") @ v, dtype=float) / top


def row_of(index: Index, collection: str, ident: str) -> int | None:
    import numpy as np

    ids = index["init_id"] if collection == "init" else index[f"{collection}_words_id"]
    hit = np.flatnonzero(ids == ident)
    return int(hit[0]) if len(hit) else None


def shared_words(index: Index, collection: str, row: int, q: Query, weights: str = "cos",
                 limit: int = 8) -> list[tuple[str, float]]:
    """The words a document shares with the query, with each word's share of the document's score
    (largest first): what `--explain` shows."""
    import numpy as np

    ptr = index[f"{collection}_words_ptr"]
    ix = index[f"{collection}_words_ix"][ptr[row]:ptr[row + 1]]
    w = index[f"{collection}_words_{weights}"][ptr[row]:ptr[row + 1]].astype(float)
    qv = cosine_vector(index, q) if weights == "cos" else _tf_vector(index, q)
    parts = w * qv[ix]
    total = float(parts.sum())
    order = [k for k in np.argsort(-parts, kind="stable") if parts[k] > 0][:limit]
    vocab = index["words_vocab"]
    return [(str(vocab[ix[k]]), float(parts[k] / total) if total else 0.0) for k in order]


def _tf_vector(index: Index, q: Query) -> Any:
    import numpy as np

    v = np.zeros(len(index["words_vocab"]))
    v[q.ix] = q.tf
    return v
