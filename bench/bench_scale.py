"""Benchmark dxkg at national scale: synthetic data at each scale, every measurement against a baseline.

Run from the checkout (it is a script, not a test; it takes minutes at 174 and far longer at 1,741):

    .venv/bin/python bench/bench_scale.py --scales 15,174 --repeat 3 --out bench/results.md

Per scale it writes synthetic data (`dxkg synth`) to a temporary folder, then times, reporting the
median of --repeat runs and the ratio to a baseline measured in the same run:
build (CLI) vs a plain pyoxigraph bulk load of the same N-Triples; validate (CLI, SPARQL engine) and
the compiled SHACL queries alone; the saved queries through kg.query vs the same text on a raw
pyoxigraph store; co-occurrence vs scipy M.T @ M; `similar` top-10 vs brute-force numpy cosine;
CLI start-up vs `python -c "import click, pyoxigraph"`; endpoint throughput and p99 latency with 8
concurrent clients on 127.0.0.1. Parts whose modules are not installed print "skipped: <why>".
Progress goes to stderr; the Markdown table to stdout and --out.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DXKG = str(BIN / "dxkg")
CLIENTS = 8
REQUESTS_PER_CLIENT = 25
ENDPOINT_QUERY = "cases-per-factor"


@dataclass
class Row:
    scale: str
    what: str
    median_s: float | None
    baseline: str = ""
    baseline_s: float | None = None
    note: str = ""

    def markdown(self) -> str:
        med = "—" if self.median_s is None else _fmt(self.median_s)
        base = "—" if self.baseline_s is None else _fmt(self.baseline_s)
        ratio = "—" if self.median_s is None or not self.baseline_s else f"{self.median_s / self.baseline_s:.2f}×"
        return f"| {self.scale} | {self.what} | {med} | {self.baseline or '—'} | {base} | {ratio} | {self.note} |"


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def say(msg: str) -> None:
    print(f"… {msg}", file=sys.stderr, flush=True)


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cli(*args: str) -> Callable[[], None]:
    def go() -> None:
        proc = subprocess.run([DXKG, *args], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"dxkg {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return go


def bulk_load(nt: Path) -> object:
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.bulk_load(path=str(nt), format=RdfFormat.N_TRIPLES)
    return store


def has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def bench_scale(n: int, repeat: int, build_repeat: int, work: Path, seed: int) -> list[Row]:
    from kg.namespace import PREFIXES
    from kg.query import run, saved_queries
    from kg.store import open_store, store_path

    scale = f"{n:,}"
    data, build = work / f"data-{n}", work / f"build-{n}"
    say(f"[{scale}] synth")
    cli("synth", "-q", "-n", str(n), "--seed", str(seed), "-o", str(data), "--force")()
    rows: list[Row] = []

    say(f"[{scale}] cold build ×{build_repeat}")

    def cold() -> None:
        shutil.rmtree(build, ignore_errors=True)  # no previous generation and no cache: a build from scratch
        cli("build", "-q", "--no-sources", "--data", str(data), "--build-dir", str(build))()
    t_build = median_time(cold, build_repeat)
    nt = build / "dxkg.nt"
    triples = sum(1 for _ in nt.open("rb"))
    t_load = median_time(lambda: bulk_load(nt), repeat)
    rows.append(Row(scale, f"`dxkg build` from scratch ({triples:,} triples)", t_build,
                    "pyoxigraph bulk load of the .nt", t_load, f"median of {build_repeat}; target ≤ 4×"))

    say(f"[{scale}] rebuild after editing one case file ×{build_repeat}")
    cases = sorted((data / "cases").glob("*.yaml"))
    edits = iter(cases[len(cases) // 3:])

    def edited() -> None:
        case = next(edits)
        text = case.read_text(encoding="utf-8")
        case.write_text(text.replace("    ja: 合成", "    ja: 改訂合成", 1), encoding="utf-8")  # a new name
        cli("build", "-q", "--no-sources", "--data", str(data), "--build-dir", str(build))()
    t_edit = median_time(edited, build_repeat)
    rows.append(Row(scale, "`dxkg build` after editing one case file", t_edit, "pyoxigraph bulk load of the .nt",
                    t_load, f"median of {build_repeat}; target ≤ 1×"))
    check_cold = work / f"check-{n}"
    cli("build", "-q", "--no-sources", "--data", str(data), "--build-dir", str(check_cold))()
    from kg.analysis.cache import CORE_FILE, INDEX_FILE, TERMS_FILE, TEXT_FILE
    from kg.paths import GRAPH_FILES

    analysis = (CORE_FILE, TEXT_FILE, INDEX_FILE, TERMS_FILE)
    same = all((build / f).read_bytes() == (check_cold / f).read_bytes()
               for f in (*GRAPH_FILES.values(), *(f"current/{a}" for a in analysis)))
    shutil.rmtree(check_cold, ignore_errors=True)
    rows[-1].note += ("; outputs and analysis files byte-identical to a build from scratch" if same
                      else "; OUTPUTS DIFFER from scratch")

    say(f"[{scale}] validate, every file read")
    t_val = median_time(cli("validate", "-q", "--no-sources", "--shacl-engine", "sparql", "--data", str(data),
                            "--no-cache"), build_repeat)
    rows.append(Row(scale, "`dxkg validate --shacl-engine sparql --no-cache` (whole command)", t_val,
                    note="target < 30 s"))
    say(f"[{scale}] validate after editing one case file, the build folder's cache read")

    def validate_edited() -> None:
        case = next(edits)
        text = case.read_text(encoding="utf-8")
        case.write_text(text.replace("    ja: 合成", "    ja: 検証合成", 1), encoding="utf-8")
        cli("validate", "-q", "--no-sources", "--shacl-engine", "sparql", "--data", str(data),
            "--build-dir", str(build))()
    t_val_cached = median_time(validate_edited, build_repeat)
    rows.append(Row(scale, "`dxkg validate --shacl-engine sparql` after editing one case file (whole command)",
                    t_val_cached, note="target < 30 s; the other files from the last build's cache"))
    from rdflib import Graph

    from kg import shaclsparql
    from kg.paths import shapes_file

    shapes = Graph().parse(shapes_file(), format="turtle")
    nt_bytes = nt.read_bytes()
    found: list[int] = []
    t_shacl = median_time(lambda: found.append(len(shaclsparql.validate(nt_bytes, shapes))), repeat)
    rows.append(Row(scale, "SHACL compiled to SPARQL (load + all constraints)", t_shacl, "bulk load alone", t_load,
                    f"{found[-1]} violations"))

    say(f"[{scale}] saved queries")
    store = open_store(build)
    raw = bulk_load(nt)
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    texts = [q.path.read_text(encoding="utf-8") for q in saved_queries()]

    def ours() -> None:
        for text in texts:
            run(store, text)

    def plain(target: object) -> Callable[[], None]:
        def go() -> None:
            for text in texts:
                list(target.query(header + text))  # type: ignore[attr-defined]
        return go
    from pyoxigraph import Store

    t_ours = median_time(ours, repeat)
    disk = Store.read_only(str(store_path(build)))  # the current generation's store
    rows.append(Row(scale, f"{len(texts)} saved queries via kg.query", t_ours,
                    "same text, raw pyoxigraph, in-memory store", median_time(plain(raw), repeat), "target ≤ 1.2×"))
    rows.append(Row(scale, f"{len(texts)} saved queries via kg.query", t_ours,
                    "same text, raw pyoxigraph, the same on-disk store", median_time(plain(disk), repeat),
                    "kg.query's own overhead"))

    if has("kg.analysis.cooccur") and has("scipy") and has("numpy"):
        say(f"[{scale}] co-occurrence")
        rows.append(_cooccur(scale, build, raw, repeat))
    else:
        rows.append(Row(scale, "co-occurrence", None, note="skipped: kg.analysis.cooccur, numpy or scipy missing"))
    if has("kg.analysis.similarity") and has("numpy"):
        say(f"[{scale}] similar")
        rows.append(_similar(scale, build, raw, repeat))
    else:
        rows.append(Row(scale, "similar top-10", None, note="skipped: kg.analysis.similarity or numpy missing"))
    if (REPO / "kg" / "cli" / "serve.py").is_file():
        say(f"[{scale}] endpoint")
        rows += _endpoint(scale, build)
    else:
        rows.append(Row(scale, "endpoint", None, note="skipped: `dxkg serve` not in this tree"))
    return rows


def _cooccur(scale: str, build: Path, raw: object, repeat: int) -> Row:
    import numpy as np
    from scipy import sparse

    from kg.adapter import get_adapter
    from kg.analysis.cooccur import cooccurrence

    q = """SELECT ?p ?d WHERE { ?p <https://w3id.org/dxkg/ontology#driver> ?d }"""

    def baseline() -> None:
        rows, cols, pi, di = [], [], {}, {}
        for sol in raw.query(q):  # type: ignore[attr-defined]
            rows.append(pi.setdefault(sol["p"].value, len(pi)))
            cols.append(di.setdefault(sol["d"].value, len(di)))
        m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(pi), len(di)))
        (m.T @ m).toarray()
    return Row(scale, "co-occurrence (drivers per practice, kg.analysis)",
               median_time(lambda: cooccurrence(get_adapter(build), "driver"), repeat),
               "SPARQL + scipy sparse M.T @ M", median_time(baseline, repeat), "target ≤ 3×")


def _similar(scale: str, build: Path, raw: object, repeat: int) -> Row:
    import numpy as np

    from kg.adapter import get_adapter
    from kg.analysis.similarity import similar

    dx = "https://w3id.org/dxkg/ontology#"
    first = next(iter(raw.query(  # type: ignore[attr-defined]
        f"SELECT ?i WHERE {{ ?i a <{dx}Initiative> }} ORDER BY ?i LIMIT 1")))["i"].value
    query_id = first.rsplit("/", 1)[1]
    q = f"""SELECT ?i ?f WHERE {{ ?i a <{dx}Initiative> .
      {{ ?i <{dx}domain> ?f }} UNION {{ ?i <{dx}technology> ?f }} UNION {{ ?i <{dx}practice>/<{dx}driver> ?f }}
      UNION {{ ?i <{dx}practice>/<{dx}factor> ?f }} }}"""

    def baseline() -> None:
        ii: dict[str, int] = {}
        fi: dict[str, int] = {}
        pairs = [(ii.setdefault(s["i"].value, len(ii)), fi.setdefault(s["f"].value, len(fi)))
                 for s in raw.query(q)]  # type: ignore[attr-defined]
        m = np.zeros((len(ii), len(fi)))
        for r, c in pairs:
            m[r, c] = 1.0
        m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
        scores = m @ m[ii[first]]
        np.argpartition(-scores, min(10, len(scores) - 1))[:10]
    return Row(scale, "similar top-10 (kg.analysis, after start-up)",
               median_time(lambda: similar(get_adapter(build), query_id, 10), repeat),
               "SPARQL + brute-force numpy cosine", median_time(baseline, repeat), "target < 100 ms")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _endpoint(scale: str, build: Path) -> list[Row]:
    from kg.query import resolve_query

    port = _free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    text, _ = resolve_query(ENDPOINT_QUERY)
    cmd = [DXKG, "serve", "-q", "--host", "127.0.0.1", "--port", str(port), "--build-dir", str(build)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = urllib.parse.urlencode({"query": text}).encode()

        def ask() -> float:
            req = urllib.request.Request(url, data=body, headers={"Accept": "text/csv",
                                                                  "Content-Type": "application/x-www-form-urlencoded"})
            t0 = time.perf_counter()
            with urllib.request.urlopen(req, timeout=30) as resp:
                resp.read()
            return time.perf_counter() - t0
        deadline = time.monotonic() + 300
        while True:
            try:
                ask()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    return [Row(scale, "endpoint", None, note="skipped: `dxkg serve` did not answer")]
                time.sleep(0.5)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client() -> None:
            for _ in range(REQUESTS_PER_CLIENT):
                try:
                    dt = ask()
                except OSError as exc:
                    with lock:
                        errors.append(str(exc))
                    continue
                with lock:
                    latencies.append(dt)
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else None
    note = f"{len(latencies)} ok, {len(errors)} failed, {len(latencies) / wall:.1f} req/s"
    return [Row(scale, f"endpoint p99, {CLIENTS} clients × {REQUESTS_PER_CLIENT} `{ENDPOINT_QUERY}`", p99,
                note=note)]


def bench_startup(repeat: int) -> list[Row]:
    say("start-up")
    floor = median_time(lambda: subprocess.run([sys.executable, "-c", "import click, pyoxigraph"], check=True),
                        repeat)
    rows = [Row("real", "`dxkg --help`", median_time(cli("--help"), repeat),
                '`python -c "import click, pyoxigraph"`', floor, "target ≤ 3×")]
    real_build = Path(tempfile.mkdtemp(prefix="dxkg-bench-real-"))
    try:
        cli("build", "-q", "--build-dir", str(real_build))()
        rows.append(Row("real", "`dxkg query cases-per-factor`",
                        median_time(cli("query", "cases-per-factor", "--build-dir", str(real_build)), repeat),
                        '`python -c "import click, pyoxigraph"`', floor, "target ≤ 3×"))
    finally:
        shutil.rmtree(real_build, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="15,174,1741", help="municipalities per scale, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    ap.add_argument("--build-repeat", type=int, default=None,
                    help="runs of the slow CLI build and validate [default: --repeat]")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results.md", help="Markdown table to write")
    ap.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it (default: a temp one)")
    args = ap.parse_args(argv)
    try:
        scales = [int(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        print(f"bench: --scales must be numbers separated by commas, got {args.scales!r}", file=sys.stderr)
        return 1
    if args.repeat < 1 or not scales:
        print("bench: need --repeat ≥ 1 and at least one scale", file=sys.stderr)
        return 1
    work = args.keep or Path(tempfile.mkdtemp(prefix="dxkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    try:
        rows += bench_startup(args.repeat)
        for n in scales:
            rows += bench_scale(n, args.repeat, args.build_repeat or args.repeat, work, args.seed)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    lines = [f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; medians of {args.repeat} runs "
             f"(build and validate: {args.build_repeat or args.repeat}).", "",
             "| municipalities | measurement | median | baseline | baseline median | ratio | note |",
             "| --- | --- | --- | --- | --- | --- | --- |"] + [r.markdown() for r in rows]
    table = "\n".join(lines) + "\n"
    print(table)
    from kg.files import write_atomic

    write_atomic(args.out, table.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
