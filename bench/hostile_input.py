"""Hostile data files against the loader's limits: each refused (or validated) in well under a second.

Run from the checkout (about a minute):

    .venv/bin/python bench/hostile_input.py --repeat 5 --out bench/hostile.md

Each case is one data file written into a copy of the test fixture (tests/fixtures/data): 2 MB and
50 MB of text in one description, a YAML alias bomb inline in a number field, deep nesting, a huge
file, invalid UTF-8 far into a file, a misspelt key. The loader (kg.load.parse_file) reads the file
--repeat times; the table gives the median, the ratio to the same loader on the fixture's own case
file (measured in the same run), and the first problem it reported, which must name the limit or
field. Then the whole check of the folder (what `dxkg validate` runs) on the 50 MB case, and both SHACL
engines on the fixture with every description at the longest the schema allows (4,000 characters):
the longest literal any SHACL engine can be given, since longer ones are refused before the graph is
built (pyshacl reads N-Triples through rdflib, quadratic on long literals: 2 MB took 31 s).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "data"
CASE = "cases/ina.yaml"


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _with_description(text: str, size: int) -> str:
    """Ina's first initiative with a description of `size` characters."""
    anchor = "    name: {ja: ドローン物流, en: Drone logistics}\n"
    assert anchor in text
    return text.replace(anchor, anchor + f"    description: {{ja: \"{'あ' * (size // 3)}\", en: Drone logistics}}\n", 1)


def cases(text: str) -> dict[str, bytes]:
    """Each hostile version of the fixture's case file, by name."""
    nested = "x: " + "[" * 5000 + "]" * 5000 + "\n"
    deep = "x: " + "[" * 100 + "]" * 100 + "\n"
    pad = "# " + "x" * 78 + "\n"
    return {
        "2 MB description": _with_description(text, 2_000_000).encode(),
        "50 MB description": _with_description(text, 50_000_000).encode(),
        "alias bomb inline in a number field": _bomb(text).encode(),
        "nesting 100 levels deep": (text + deep).encode(),
        "nesting 5,000 levels deep": (text + nested).encode(),
        "huge file (20 MB)": (text + pad * (20_000_000 // len(pad))).encode(),
        "file just under the 16 MiB limit (comments)": (text + pad * ((16 * 1024 * 1024 - 4096) // len(pad))).encode(),
        "8 million values, just under the 16 MiB limit": (text + "more: [" + ",".join(["1"] * 8_000_000) +
                                                          "]\n").encode(),
        "1 MB of text aliased 2,000 times": (text + 'p: &p "' + "Q" * 1_000_000 + '"\nalso: [' +
                                             ", ".join(["*p"] * 2000) + "]\n").encode(),
        "100,000 wrong values (numbers for initiatives)": ("initiatives: [" + ",".join(["1"] * 100_000) +
                                                           "]\n").encode(),
        "control character in a comment": text.replace("\n", " # \x0c\n", 1).encode(),
        "octal-looking number (017)": text.replace("value: 66528", "value: 017", 1).encode(),
        "invalid UTF-8 at the last line": text.encode() + b"# \xff\xfe broken\n",
        "misspelt key (desription)": text.replace("name: {ja: ドローン物流", "desription: {ja: x, en: y}\n"
                                                  "    name: {ja: ドローン物流", 1).encode(),
    }


def _bomb(text: str) -> str:
    """Nine levels of ten aliases each, defined inline in a population figure's value (10^9 values expanded)."""
    levels = ["&l0 [" + ", ".join(["lol"] * 10) + "]"] + \
        [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return text.replace("value: 66528", "value: [" + ", ".join(levels) + "]", 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (the median is reported)")
    ap.add_argument("--out", type=Path, default=None, help="also write the Markdown table here")
    args = ap.parse_args(argv)

    from kg.build import check
    from kg.load import parse_file

    rows = ["| case | file size | loader median | ratio to a normal case file | what the loader said |",
            "| --- | --- | --- | --- | --- |"]
    work = Path(tempfile.mkdtemp(prefix="dxkg-hostile-"))
    try:
        data = work / "data"
        shutil.copytree(FIXTURE, data)
        target = data / CASE
        original = target.read_text(encoding="utf-8")
        base, _ = median_time(lambda: parse_file(target, CASE), args.repeat)
        rows.append(f"| the fixture's own case file (baseline) | {target.stat().st_size:,} B | {_fmt(base)} | 1.00× | "
                    "valid |")
        for name, content in cases(original).items():
            print(f"… {name}", file=sys.stderr, flush=True)
            target.write_bytes(content)
            t, value = median_time(lambda: parse_file(target, CASE), args.repeat)
            problems = value[1]  # type: ignore[index]
            said = str(problems[0]).replace("|", "\\|") if problems else "valid (no problem)"
            rows.append(f"| {name} | {len(content):,} B | {_fmt(t)} | {t / base:.2f}× | {said[:150]} |")

        print("… the whole check on the 50 MB case", file=sys.stderr, flush=True)
        target.write_bytes(cases(original)["50 MB description"])
        t, result = median_time(lambda: check(data, None, shacl_engine="sparql"), args.repeat)
        first = str(result.problems[0]) if result.problems else "valid"  # type: ignore[attr-defined]
        first = first.replace(f"{data}/", "data/")
        rows += ["", "| whole check (`dxkg validate`) | median | result |", "| --- | --- | --- |",
                 f"| 50 MB description | {_fmt(t)} | {first[:150]} |"]
        longest = original
        anchor = "    name: {ja: ドローン物流, en: Drone logistics}\n"
        longest = longest.replace(anchor, anchor + f"    description: {{ja: {'あ' * 4000}, en: {'a' * 4000}}}\n")
        target.write_text(longest, encoding="utf-8")
        for engine in ("pyshacl", "sparql"):
            print(f"… the longest description the schema allows, SHACL by {engine}", file=sys.stderr, flush=True)
            t, result = median_time(lambda e=engine: check(data, None, shacl_engine=e), args.repeat)  # type: ignore[misc]
            verdict = "valid" if not result.problems else str(result.problems[0])  # type: ignore[attr-defined]
            rows.append(f"| 4,000-character description, SHACL by {engine} | {_fmt(t)} | {verdict[:150]} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = "\n".join(rows) + "\n"
    print(table)
    if args.out:
        from kg.files import write_atomic

        write_atomic(args.out, table.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
