"""Where `dxkg build` spends its time: each phase its progress lines name, from scratch and after one edit.

    .venv/bin/python bench/build_phases.py synth1741          # after `dxkg synth -n 1741 -o synth1741`

It copies the data folder, builds it into an empty folder (timing each progress line until the next),
edits one case file (a municipality's Japanese name) and builds again into the same folder, then
prints both lists of phases (each build in a fresh interpreter, as the command runs). Phases that
run at the same time (the analysis files beside the store and the graph files) are timed from one
progress line to the next, whichever thread or process printed it. The copy and the build folders
are removed afterwards.

Each build's CPU time (its process and the processes it started) is printed beside its wall time, with
a pyoxigraph bulk load of the same N-Triples (as bench_scale times it): on a machine of C cores no
schedule makes a build take less than its CPU time over C, which bounds the ratio any reordering can reach.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _timed(data: Path, out: Path, send: Any) -> None:
    from kg.build import build

    phases: list[tuple[str, float]] = []
    last = [time.perf_counter(), "start"]

    def say(msg: str) -> None:
        now = time.perf_counter()
        phases.append((str(last[1]), now - float(last[0])))
        last[:] = [now, msg]
        print(f"… {msg}", file=sys.stderr, flush=True)

    build(data, out, None, progress=say)
    phases.append((str(last[1]), time.perf_counter() - float(last[0])))
    send.send((phases[1:], _cpu()))


def timed_build(data: Path, out: Path) -> tuple[list[tuple[str, float]], tuple[float, float]]:
    """One build in a fresh interpreter, as `dxkg build` runs (a process that has opened a store runs
    RocksDB's threads, and a build forks its second process only while it runs one thread)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_timed, args=(data, out, send))
    child.start()
    phases, cpu = receive.recv()
    child.join()
    return phases, cpu


def bulk_load(nt: Path) -> tuple[float, float]:
    """Wall and CPU seconds of a pyoxigraph bulk load of `nt` into an in-memory store (bench_scale's baseline)."""
    from pyoxigraph import RdfFormat, Store

    wall, cpu = time.perf_counter(), sum(_cpu())
    Store().bulk_load(path=str(nt), format=RdfFormat.N_TRIPLES)
    return time.perf_counter() - wall, sum(_cpu()) - cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path, help="a data folder with cases/ (e.g. written by `dxkg synth`)")
    args = ap.parse_args(argv)
    cases = sorted((args.data / "cases").glob("*.yaml")) if args.data.is_dir() else []
    if not cases:
        print(f"build_phases: no cases/*.yaml in {args.data}", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="dxkg-phases-"))
    try:
        data, out = work / "data", work / "build"
        shutil.copytree(args.data, data)
        report = [("from scratch", timed_build(data, out))]
        load_wall, load_cpu = bulk_load(out / "dxkg.nt")
        case = sorted((data / "cases").glob("*.yaml"))[len(cases) // 2]
        text = case.read_text(encoding="utf-8")
        case.write_text(text.replace("    ja: ", "    ja: 改訂", 1), encoding="utf-8")
        report.append((f"after editing {case.name}", timed_build(data, out)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from kg.parallel import cores

    print(f"\npyoxigraph bulk load of the same N-Triples: {load_wall:.2f} s wall, {load_cpu:.2f} s CPU")
    for title, (phases, (mine, theirs)) in report:
        total = sum(t for _, t in phases)
        cpu = mine + theirs
        print(f"\n{title}: {total:.2f} s wall ({total / load_wall:.2f}× the bulk load); {cpu:.2f} s CPU "
              f"({mine:.2f} in the build's process, {theirs:.2f} in the processes it started): on {cores()} cores "
              f"at least {cpu / cores():.2f} s, {cpu / cores() / load_wall:.2f}× the bulk load")
        for name, t in phases:
            print(f"  {t:8.2f} s  {100 * t / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
