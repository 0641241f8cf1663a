"""Endpoint throughput and latency: `dxkg serve` side by side with Apache Jena and Virtuoso.

Run from the checkout as a module (a script, not a test; every server listens on 127.0.0.1 only):

    .venv/bin/python -m bench.bench_endpoint --scales real --stores dxkg,dxkg-nocache
    .venv/bin/python -m bench.bench_endpoint --scales real,174,1741 \\
        --stores dxkg,dxkg-nocache,jena-mem,jena-tdb2,virtuoso --out bench/endpoint.md
    .venv/bin/python -m bench.bench_endpoint --url http://127.0.0.1:7878/sparql   # a running endpoint
    .venv/bin/python -m bench.bench_endpoint --two-slow   # ASK latency while two slow queries run

For each scale (`real` is the curated data; a number N is `dxkg synth -n N`, built with
`--no-sources`) and each store, the same N-Triples are loaded, then 8 client threads send 25
requests each (5 at 1,741) of `cases-per-factor` and of `ASK {}` over HTTP, a new connection per
request (as a crowd of scripts does): requests/s, p50 and p99. Then each saved query's median over
--repeat sequential requests. Before measuring, each store answers every saved query once and a
short burst of the load, so the JIT of Jena and the caches of every store are warm.

- `dxkg`: `dxkg serve` as it serves (store in memory, answers cached: the graph never changes
  while it runs; identical questions in flight share one evaluation).
- `dxkg-nocache`: `dxkg serve --cache-mb 0`: every request is evaluated.
- `jena-mem`, `jena-tdb2`: Debian's Jena 4.5 (libapache-jena-java) in memory or on TDB2, behind the
  minimal JDK HTTP endpoint in bench/jena (compiled here; Fuseki is not packaged where we can reach it).
- `virtuoso`: Debian's virtuoso-opensource 7.2 with the buffers its ini suggests for 4 GB, the graph
  bulk-loaded (ld_dir, rdf_loader_run), queries sent with `default-graph-uri`.
A store whose software is missing is reported as skipped. The saved queries declare their prefixes,
so every store gets the same text.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
DXKG = str(BIN / "dxkg")
CLIENTS = 8
ASK = "ASK {}"
GRAPH = "https://w3id.org/dxkg/graph"
DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@dataclass
class Load:
    rps: float
    p50: float
    p99: float
    errors: int


@dataclass
class Target:
    host: str
    port: int
    path: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Measured:
    scale: str
    store: str
    note: str = ""
    cpf: Load | None = None
    ask: Load | None = None
    medians: dict[str, float] = field(default_factory=dict)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(target: Target, query: str, timeout: float = 120.0) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({"query": query, **target.params})
    conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    try:
        conn.request("POST", target.path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def load(target: Target, query: str, per_client: int, clients: int = CLIENTS) -> Load:
    """`clients` threads each sending `per_client` requests, a new connection each."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        for _ in range(per_client):
            t0 = time.perf_counter()
            try:
                ok = request(target, query)[0] == 200
            except OSError:
                ok = False
            dt = time.perf_counter() - t0
            with lock:
                times.append(dt)
                errors[0] += not ok

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    times.sort()
    return Load(len(times) / wall, statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))],
                errors[0])


def median_time(target: Target, query: str, repeat: int, patience: float = 10.0) -> float:
    """The median of `repeat` sequential runs; one run only when it took longer than `patience` seconds."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        status, body = request(target, query, timeout=600)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:300]!r}")
        runs.append(time.perf_counter() - t0)
        if runs[-1] > patience:
            break
    return statistics.median(runs)


def wait_ready(target: Target, proc: subprocess.Popen[bytes] | None, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if request(target, ASK, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"no answer on {target.host}:{target.port}{target.path} within {seconds:g} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- stores ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def dxkg(build: Path, work: Path, *extra: str) -> Iterator[Target]:
    port = free_port()
    with _served(work / f"dxkg-{port}.log", port, [DXKG, "serve", "-q", "--port", str(port), "--build-dir",
                                                   str(build), "--timeout", "120", "--max-rows", "1000000",
                                                   *extra]) as target:
        yield target


@contextlib.contextmanager
def _served(log_path: Path, port: int, command: list[str]) -> Iterator[Target]:
    """An endpoint process started with `command`, its output in `log_path`, until it answers at
    http://127.0.0.1:PORT/sparql; stopped afterwards."""
    log = log_path.open("wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        target = Target("127.0.0.1", port, "/sparql")
        wait_ready(target, proc, 900)
        yield target
    finally:
        _stop(proc)
        log.close()


@contextlib.contextmanager
def jena_store(build: Path, work: Path, kind: str) -> Iterator[Target]:
    from bench import jena

    if not jena.installed() or not shutil.which("javac"):
        raise LookupError("Jena or javac is not installed (make jena; apt-get install default-jdk-headless)")
    cp = jena.classpath(work / "jena")
    classes = jena.compile_endpoint(work / "jena", cp)
    port = free_port()
    dataset = "mem" if kind == "mem" else f"tdb2:{tempfile.mkdtemp(prefix='tdb2-', dir=work)}"
    with _served(work / f"jena-{port}.log", port, ["java", "-Xmx8g", "-cp", f"{classes}:{cp}", "JenaEndpoint",
                                                   str(port), str(build / "dxkg.nt"), dataset, "16"]) as target:
        yield target


@contextlib.contextmanager
def virtuoso(build: Path, work: Path) -> Iterator[Target]:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not server or not isql or not DEBIAN_INI.is_file():
        raise LookupError("Virtuoso is not installed (make virtuoso)")
    folder = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=work))
    sql_port, http_port = free_port(), free_port()
    text = DEBIAN_INI.read_text(encoding="utf-8").replace("/var/lib/virtuoso-opensource-7/db", str(folder))
    text = re.sub(r"(?m)^ServerPort\s*=\s*1111\b.*$", f"ServerPort = 127.0.0.1:{sql_port}", text)
    text = re.sub(r"(?m)^ServerPort\s*=\s*8890\b.*$", f"ServerPort = 127.0.0.1:{http_port}", text)
    text = re.sub(r"(?m)^DirsAllowed\s*=.*$", f"DirsAllowed = ., {build}", text)
    text = re.sub(r"(?m)^ResultSetMaxRows\s*=.*$", "ResultSetMaxRows = 1000000", text)
    text = re.sub(r"(?m)^MaxQueryExecutionTime\s*=.*$", "MaxQueryExecutionTime = 0", text)
    # the ini's own setting for a machine with 4 GB free (its default, 10,000 buffers, is for 80 MB)
    text = re.sub(r"(?m)^NumberOfBuffers\s*=.*$", "NumberOfBuffers = 340000", text)
    text = re.sub(r"(?m)^MaxDirtyBuffers\s*=.*$", "MaxDirtyBuffers = 250000", text)
    (folder / "virtuoso.ini").write_text(text, encoding="utf-8")
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen([server, "+configfile", "virtuoso.ini", "+foreground"], cwd=folder, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        target = Target("127.0.0.1", http_port, "/sparql", {"default-graph-uri": GRAPH})
        wait_ready(Target("127.0.0.1", http_port, "/sparql"), proc, 120)
        nt = build / "dxkg.nt"
        sql = (f"ld_dir('{build}', '{nt.name}', '{GRAPH}'); rdf_loader_run(); checkpoint;")
        subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={sql}"], check=True,
                       capture_output=True, timeout=1800)
        yield target
    finally:
        _stop(proc)
        log.close()


STORES = {
    "dxkg": lambda build, work: dxkg(build, work),
    "dxkg-nocache": lambda build, work: dxkg(build, work, "--cache-mb", "0"),
    "jena-mem": lambda build, work: jena_store(build, work, "mem"),
    "jena-tdb2": lambda build, work: jena_store(build, work, "tdb2"),
    "virtuoso": virtuoso,
}


# --- the run --------------------------------------------------------------------------------------
def prepare(scale: str, work: Path) -> Path:
    build = work / f"build-{scale}"
    if scale == "real":
        subprocess.run([DXKG, "build", "--build-dir", str(build)], check=True, capture_output=True)
    else:
        data = work / f"synth-{scale}"
        subprocess.run([DXKG, "synth", "-n", scale, "--seed", "1", "-o", str(data)], check=True, capture_output=True)
        subprocess.run([DXKG, "build", "--data", str(data), "--build-dir", str(build), "--no-sources"], check=True,
                       capture_output=True)
    return build


def measure(scale: str, store: str, build: Path, work: Path, repeat: int) -> Measured:
    from kg.query import saved_queries

    saved = saved_queries()
    cpf = next(q.text for q in saved if q.name == "cases-per-factor")
    per_client = 5 if scale.isdigit() and int(scale) > 1000 else 25
    out = Measured(scale, store)
    try:
        with STORES[store](build, work) as target:
            say(f"[{scale}] {store}: warming up")
            slow: set[str] = set()
            for q in saved:
                try:
                    request(target, q.text, timeout=60)
                except TimeoutError:
                    slow.add(q.name)  # not asked again: it would hold the store for minutes
            load(target, cpf, 2)
            say(f"[{scale}] {store}: {CLIENTS} clients")
            out.cpf = load(target, cpf, per_client)
            out.ask = load(target, ASK, per_client)
            say(f"[{scale}] {store}: each saved query")
            for q in saved:
                if q.name in slow:
                    out.note += f" {q.name}: over 60 s;"
                    continue
                try:
                    out.medians[q.name] = median_time(target, q.text, repeat)
                except (RuntimeError, OSError) as exc:
                    out.note += f" {q.name}: {str(exc)[:80]};"
    except LookupError as exc:
        out.note = f"skipped: {exc}"
    return out


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # a cartesian product: never ends


def ask_beside_slow(target: Target, seconds: float = 20.0) -> tuple[Load, list[int]]:
    """An ASK every 50 ms (a different text each, so none is cached) while two clients keep a slow query
    running; the ASKs' latencies, and the statuses the slow queries got."""
    stop = time.monotonic() + seconds
    slow_status: list[int] = []

    def slow(i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            slow_status.append(request(target, f"{SLOW} # {i}.{n}", timeout=300)[0])
            n += 1

    threads = [threading.Thread(target=slow, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # both are now long-running
    times: list[float] = []
    errors = 0
    t0 = time.perf_counter()
    while time.monotonic() < stop - 1:
        start = time.perf_counter()
        errors += request(target, f"ASK {{ ?s ?p ?o }} # {len(times)}")[0] != 200
        times.append(time.perf_counter() - start)
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    for t in threads:
        t.join()
    times.sort()
    return Load(len(times) / wall, statistics.median(times), times[int(len(times) * 0.99)], errors), slow_status


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:.0f}"


def markdown(results: list[Measured]) -> str:
    from kg.query import saved_queries

    names = [q.name for q in saved_queries()]
    lines = [f"{CLIENTS} clients, new connection per request; req/s and p50 / p99 in ms; errors (non-200) if any.", "",
             "| scale | store | `cases-per-factor` req/s | p50 / p99 | `ASK {}` req/s | p50 / p99 | "
             "sum of saved-query medians (ms) | note |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        note = r.note + (" (sum without the missing ones)" if r.medians and len(r.medians) < len(names) else "")
        if r.cpf is None or r.ask is None:
            lines.append(f"| {r.scale} | {r.store} | — | — | — | — | — | {note} |")
            continue
        err = "".join(f" ({x.errors} errors)" for x in (r.cpf, r.ask) if x.errors)
        lines.append(f"| {r.scale} | {r.store} | {r.cpf.rps:.0f} | {_ms(r.cpf.p50)} / {_ms(r.cpf.p99)} | "
                     f"{r.ask.rps:.0f} | {_ms(r.ask.p50)} / {_ms(r.ask.p99)} | "
                     f"{_ms(sum(r.medians.values()))} | {(note + err).strip()} |")
    lines += ["", "Each saved query's median (ms, sequential requests):", ""]
    stores = [r for r in results if r.medians]
    lines.append("| query | " + " | ".join(f"{r.scale} {r.store}" for r in stores) + " |")
    lines.append("| --- |" + " --- |" * len(stores))
    for name in names:
        cells = [(_ms(r.medians[name]) if name in r.medians else "—") for r in stores]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="real")
    parser.add_argument("--stores", default="dxkg,dxkg-nocache")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="measure an already running endpoint only")
    parser.add_argument("--per-client", type=int, default=25)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--two-slow", action="store_true",
                        help="ASK latency on the real graph while two slow queries run (dxkg serve defaults)")
    args = parser.parse_args()
    from kg.query import saved_queries

    if args.url:
        parts = urllib.parse.urlsplit(args.url)
        target = Target(parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/sparql")
        cpf = next(q.text for q in saved_queries() if q.name == "cases-per-factor")
        for name, q in (("cases-per-factor", cpf), ("ASK {}", ASK)):
            r = load(target, q, args.per_client)
            print(f"{name}: {r.rps:.0f} req/s, p50 {_ms(r.p50)} ms, p99 {_ms(r.p99)} ms, errors {r.errors}")
        return
    if args.two_slow:
        with tempfile.TemporaryDirectory(prefix="dxkg-bench-endpoint-") as tmp:
            work = Path(tmp)
            build = prepare("real", work)
            port = free_port()
            proc = subprocess.Popen([DXKG, "serve", "-q", "--port", str(port), "--build-dir", str(build)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                target = Target("127.0.0.1", port, "/sparql")
                wait_ready(target, proc, 120)
                r, slow_status = ask_beside_slow(target)
            finally:
                _stop(proc)
        print(f"ASK beside two slow queries (dxkg serve defaults, real graph): {len(slow_status)} slow answers "
              f"{sorted(set(slow_status))}; ASK p50 {_ms(r.p50)} ms, p99 {_ms(r.p99)} ms, errors {r.errors}")
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="dxkg-bench-endpoint-") as tmp:
        work = Path(tmp)
        for scale in args.scales.split(","):
            say(f"[{scale}] building")
            build = prepare(scale, work)
            for store in args.stores.split(","):
                results.append(measure(scale, store, build, work, args.repeat))
                print(markdown(results[-1:]), file=sys.stderr)
    text = markdown(results)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
