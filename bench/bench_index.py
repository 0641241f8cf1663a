"""Time kg.analysis.index.build_index on a built graph's cached columns: median of N runs, gc off (as the
build runs it), and check that save_index writes the bytes the build wrote.

    .venv/bin/python bench/bench_index.py BUILD_DIR [--runs N] [--no-memo]

BUILD_DIR/current holds analysis.json, analysis-text.json, analysis-terms.json and analysis-index.npz
(e.g. after `dxkg build --data synth1741 --build-dir BUILD_DIR`). Each run gets a fresh TermMemo seeded
from analysis-terms.json, as a rebuild does, or none with --no-memo (the tokeniser runs on every text).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from kg.analysis.columns import Columns, decode
    from kg.analysis.index import build_index, save_index
    from kg.text.tokens import TermMemo, Tokeniser

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-memo", action="store_true", help="tokenise every text (as a cold build does)")
    args = ap.parse_args(argv)
    current = args.build_dir / "current"
    ex = decode(Columns(json.loads((current / "analysis.json").read_bytes()),
                        json.loads((current / "analysis-text.json").read_bytes())))
    terms = (current / "analysis-terms.json").read_bytes()
    expected = (current / "analysis-index.npz").read_bytes()
    tokeniser = Tokeniser() if args.no_memo else None
    print(f"{current}: {len(ex.initiatives):,} initiatives; memo {'off' if args.no_memo else 'on'}; {args.runs} runs")
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs + 1):  # the first run warms up, and its output is compared
            memo = tokeniser if args.no_memo else TermMemo.load(terms)
            gc.collect()
            gc.disable()
            t = time.perf_counter()
            index = build_index(ex, memo)
            elapsed = time.perf_counter() - t
            gc.enable()
            if run:
                times.append(elapsed)
                continue
            save_index(index, Path(tmp) / "index.npz")
            same = (Path(tmp) / "index.npz").read_bytes() == expected
    print(f"build_index: median {statistics.median(times) * 1000:,.0f} ms (min {min(times) * 1000:,.0f}); "
          f"npz {'identical to' if same else 'DIFFERENT from'} the build's")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
