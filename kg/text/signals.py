"""The per-code signals the suggester's model weighs, computed from a training set for any text.

For each code of a scheme:

- `code_doc`, `code_doc_log`, `rank`: BM25 of the text against the code's document (the framework's
  words for it plus every training example tagged with it), as a share of the best code, raw (log),
  and as a rank;
- `definition`: BM25 against the framework's words for the code alone;
- `neighbours`: a vote of the NEIGHBOURS most similar training examples (BM25 over their words);
- `prior`, `kind_prior`: the code's share of the training tags, overall and among examples of the
  same kind (practices or planned measures; Laplace-smoothed, so a kind with no examples is uniform);
- `related`: for a principle, the best `code_doc` share of the factors and drivers it is curated as
  corresponding to;
- `code_chars`, `neighbours_chars`: the same code document and neighbour vote over character 2- and
  3-grams instead of words (Japanese words that Sudachi splits differently still share characters);
- `framework`, `framework_chars`: BM25 (words, characters) against the code's framework document: its
  definition plus the principles linked to it with their pitfalls and countermeasures (for a principle,
  the definitions of its linked factors and drivers): the framework's own examples, as pseudo-examples.

With the optional sentence encoder, `enc_definition` and `enc_neighbours` (cosine to the definition,
vote of the encoder's nearest examples).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from kg.text.index import TextIndex
from kg.text.records import SCHEMES, Definition, Example, TrainingSet
from kg.text.tokens import Tokeniser

NEIGHBOURS = 5  # curated examples that vote for their codes
KINDS = ("practice", "measure")
FEATURES = ("code_doc", "code_doc_log", "definition", "neighbours", "prior", "rank", "related",
            "code_chars", "neighbours_chars", "framework", "framework_chars", "kind_prior")
ENCODER_FEATURES = ("enc_definition", "enc_neighbours")


def char_grams(text: str) -> list[str]:
    """Character 2- and 3-grams of `text` (NFKC, lower case, blanks removed)."""
    t = "".join(unicodedata.normalize("NFKC", text).lower().split())
    return [t[i:i + n] for n in (2, 3) for i in range(len(t) - n + 1)]


class Encoder:
    """A sentence encoder: texts to L2-normalised vectors (optional; see `kg.text.suggest.load_encoder`)."""

    def __init__(self, model: Any):
        self._model = model
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            for t, v in zip(todo, np.atleast_2d(self._model.encode(todo)), strict=True):
                self._cache[t] = np.asarray(v, dtype=float)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1))


class Query:
    """A text to score, with its words and character n-grams made once for every scheme."""

    def __init__(self, text: str, terms: list[str], kind: str = "practice"):
        self.text = text
        self.terms = terms
        self.grams = char_grams(text)
        self.kind = kind


@dataclass
class _Scheme:
    """What one scheme's signals are computed from."""

    codes: list[str]
    examples: list[Example]
    labels: np.ndarray  # examples × codes, 1 where the example carries the code
    prior: np.ndarray
    kind_prior: dict[str, np.ndarray]
    code_index: TextIndex
    definition_index: TextIndex
    example_index: TextIndex
    code_chars: TextIndex
    example_chars: TextIndex
    framework_index: TextIndex
    framework_chars: TextIndex
    related: list[tuple[tuple[str, str], ...]]
    enc_definitions: np.ndarray | None = None
    enc_examples: np.ndarray | None = None


class Memo:
    """Words and character n-grams of texts, made once: fitting builds the signals of every fold from
    the same texts."""

    def __init__(self, tok: Tokeniser):
        self.tok = tok
        self._terms: dict[str, list[str]] = {}
        self._grams: dict[str, list[str]] = {}

    def terms(self, texts: list[str]) -> list[str]:
        """The terms of the texts, one after the other (what the tokeniser gives for them joined by
        line breaks)."""
        out: list[str] = []
        for t in texts:
            if t not in self._terms:
                self._terms[t] = self.tok.terms(t)
            out += self._terms[t]
        return out

    def grams(self, texts: list[str]) -> list[str]:
        out: list[str] = []
        for t in texts:
            if t not in self._grams:
                self._grams[t] = char_grams(t)
            out += self._grams[t]
        return out

    def index(self, docs: list[tuple[str, list[str]]], grams: bool = False) -> TextIndex:
        """A BM25 index of `(id, texts)` documents, over words or character n-grams."""
        make = self.grams if grams else self.terms
        return TextIndex([d for d, _ in docs], [make(texts) for _, texts in docs], self.tok)


def framework_documents(definitions: list[Definition]) -> dict[tuple[str, str], list[str]]:
    """Each code's framework document: its definition, plus the principles linked to it (definition,
    pitfalls, countermeasures) for a factor or driver, or the definitions of its linked factors and
    drivers for a principle."""
    by_code = {(d.scheme, d.code): d for d in definitions}
    principles = [d for d in definitions if d.scheme == "principle"]
    out = {}
    for d in definitions:
        if d.scheme == "principle":
            extra = [by_code[link].text for link in d.related if link in by_code]
        else:
            extra = [p.text for p in principles if (d.scheme, d.code) in p.related]
        out[(d.scheme, d.code)] = [d.text, *extra]
    return out


class Signals:
    """The per-code signals of a training set, for any text."""

    def __init__(self, ts: TrainingSet, tok: Tokeniser, encoder: Encoder | None = None, memo: Memo | None = None):
        self.tok = tok
        memo = memo if memo is not None and memo.tok is tok else Memo(tok)
        self.encoder = encoder
        self.schemes: dict[str, _Scheme] = {}
        framework = framework_documents(ts.definitions)
        for scheme in SCHEMES:
            defs = [d for d in ts.definitions if d.scheme == scheme]
            codes = [d.code for d in defs]
            examples = [e for e in ts.examples if e.codes(scheme) & set(codes)]
            labels = np.array([[c in e.codes(scheme) for c in codes] for e in examples], dtype=float)
            counts = Counter(c for e in examples for c in e.codes(scheme))
            total = sum(counts.values())
            prior = np.array([counts[c] / total if total else 1 / len(codes) for c in codes])
            kind_prior = {}
            for kind in KINDS:
                k_counts = Counter(c for e in examples if e.kind == kind for c in e.codes(scheme))
                k_total = sum(k_counts.values())
                kind_prior[kind] = np.array([(k_counts[c] + 1) / (k_total + len(codes)) for c in codes])
            code_docs = [(d.code, [d.text, *(e.text for e in examples if d.code in e.codes(scheme))]) for d in defs]
            example_docs = [(e.id, [e.text]) for e in examples]
            fw_docs = [(d.code, framework[(scheme, d.code)]) for d in defs]
            sc = _Scheme(
                codes, examples, labels.reshape(len(examples), len(codes)), prior, kind_prior,
                memo.index(code_docs), memo.index([(d.code, [d.text]) for d in defs]), memo.index(example_docs),
                memo.index(code_docs, grams=True), memo.index(example_docs, grams=True),
                memo.index(fw_docs), memo.index(fw_docs, grams=True),
                [d.related for d in defs],
            )
            if encoder is not None:
                sc.enc_definitions = encoder.encode([d.text for d in defs])
                sc.enc_examples = encoder.encode([e.text for e in examples]) if examples else None
            self.schemes[scheme] = sc

    def names(self) -> tuple[str, ...]:
        return FEATURES + (ENCODER_FEATURES if self.encoder is not None else ())

    def features(self, q: Query, schemes: tuple[str, ...]) -> dict[str, np.ndarray]:
        """A (codes × signals) matrix per scheme, columns in `names()` order."""
        raw = {s: self.schemes[s].code_index.scores(q.terms) for s in SCHEMES}
        qvec = self.encoder.encode([q.text])[0] if self.encoder is not None else None
        out = {}
        for scheme in schemes:
            sc = self.schemes[scheme]
            n = len(sc.codes)
            code_doc = raw[scheme]
            rank = np.empty(n)
            rank[np.argsort(-code_doc, kind="stable")] = np.arange(1, n + 1)
            related = np.zeros(n)
            for j, links in enumerate(sc.related):
                vals = [share(raw[s2])[self.schemes[s2].codes.index(c2)] for s2, c2 in links
                        if c2 in self.schemes[s2].codes]
                related[j] = max(vals, default=0.0)
            cols = [share(code_doc), np.log1p(code_doc), share(sc.definition_index.scores(q.terms)),
                    share(vote(sc, sc.example_index.scores(q.terms))), sc.prior * n, 1 / rank, related,
                    share(sc.code_chars.scores(q.grams)), share(vote(sc, sc.example_chars.scores(q.grams))),
                    share(sc.framework_index.scores(q.terms)), share(sc.framework_chars.scores(q.grams)),
                    sc.kind_prior.get(q.kind, np.full(n, 1 / n)) * n]
            if qvec is not None and sc.enc_definitions is not None:
                cols.append(np.clip(sc.enc_definitions @ qvec, 0, None))
                sims = np.clip(sc.enc_examples @ qvec, 0, None) if sc.enc_examples is not None else np.zeros(0)
                cols.append(share(vote(sc, sims)))
            out[scheme] = np.stack(cols, axis=1)
        return out


def vote(sc: _Scheme, sims: np.ndarray) -> np.ndarray:
    """Each code's summed similarity among the NEIGHBOURS most similar examples."""
    if not len(sims):
        return np.zeros(len(sc.codes))
    top = sorted(range(len(sims)), key=lambda i: (-sims[i], i))[:NEIGHBOURS]
    return sims[top] @ sc.labels[top]


def share(v: np.ndarray) -> np.ndarray:
    top = float(v.max()) if len(v) else 0.0
    return v / top if top > 0 else np.zeros_like(v, dtype=float)
