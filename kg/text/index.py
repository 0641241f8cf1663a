"""BM25 over short texts (bm25s, numpy only), with the terms each hit shares with the query."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from kg.text.tokens import Tokeniser


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float
    matched_terms: tuple[str, ...]


class TextIndex:
    """A BM25 index of documents, each one or more texts under one id."""

    def __init__(self, ids: list[str], doc_terms: list[list[str]], tokeniser: Tokeniser):
        self.ids = ids
        self.tokeniser = tokeniser
        self._terms = [set(t) for t in doc_terms]
        self._bm25: Any = None
        if ids:
            import bm25s

            self._bm25 = bm25s.BM25()
            with warnings.catch_warnings():  # bm25s warns on an all-empty corpus; scores are then 0
                warnings.simplefilter("ignore")
                # An empty document gets a placeholder term no query produces, so ids stay aligned.
                self._bm25.index([t or ["\x00"] for t in doc_terms], show_progress=False)

    @classmethod
    def build(cls, docs: list[tuple[str, list[str]]], tokeniser: Tokeniser | None = None) -> TextIndex:
        """Index `(doc_id, texts)` pairs; the texts of one id are read as one document."""
        tok = tokeniser or Tokeniser()
        return cls([d for d, _ in docs], [tok.terms("\n".join(texts)) for _, texts in docs], tok)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str | list[str]) -> np.ndarray:
        """The BM25 score of every document for `query` (text, or terms already made), in id order."""
        terms = self.tokeniser.terms(query) if isinstance(query, str) else query
        if self._bm25 is None:
            return np.zeros(len(self.ids))
        known = [t for t in terms if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.ids))
        return np.asarray(self._bm25.get_scores(known), dtype=float)

    def search(self, query: str | list[str], k: int = 10) -> list[Hit]:
        """The `k` best documents with a score above 0, best first (ties in id order)."""
        terms = self.tokeniser.terms(query) if isinstance(query, str) else query
        s = self.scores(terms)
        order = sorted((i for i in range(len(s)) if s[i] > 0), key=lambda i: (-s[i], i))[:k]
        wanted = list(dict.fromkeys(terms))
        return [Hit(self.ids[i], float(s[i]), tuple(t for t in wanted if t in self._terms[i])) for i in order]
