"""Two processes for a cold build's reading and triples: the same results as one, and failures reported."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from kg import incremental, parallel
from kg.build import build
from kg.parallel import split_map
from kg.store import current
from kg.synth import write_synthetic


def _square_with_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_the_halves_come_back_in_order_from_two_processes() -> None:
    if parallel.cores() < 2:
        pytest.skip("one core: the map runs in this process")
    out = split_map(_square_with_pid, list(range(100)), min_items=10)
    assert [v for v, _ in out] == [x * x for x in range(100)]
    pids = [pid for _, pid in out]
    assert set(pids[:50]) == {os.getpid()} and os.getpid() not in pids[50:]  # the second half elsewhere


def test_a_short_list_stays_in_this_process() -> None:
    assert {pid for _, pid in split_map(_square_with_pid, list(range(5)), min_items=10)} == {os.getpid()}


def _fail_late(x: int) -> int:
    if x == 15:
        raise ValueError("bad item 15")
    return x


def test_a_failure_in_the_child_is_reported_with_its_traceback() -> None:
    if parallel.cores() < 2:
        pytest.skip("one core")
    with pytest.raises(RuntimeError, match=r"(?s)worker process failed.*ValueError: bad item 15"):
        split_map(_fail_late, list(range(20)), min_items=10)


def _die_late(x: int) -> int:
    if x == 15:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def test_a_killed_child_is_an_error_not_a_hang() -> None:
    if parallel.cores() < 2:
        pytest.skip("one core")
    with pytest.raises(RuntimeError, match="ended without its results"):
        split_map(_die_late, list(range(20)), min_items=10)


def test_a_build_in_two_processes_writes_the_bytes_of_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """80 synthetic case files: enough for the build to fork. Every output, analysis files included, is
    byte for byte what a build in one process writes."""
    if parallel.cores() < 2:
        pytest.skip("one core")
    data = tmp_path / "data"
    write_synthetic(data, 80)
    assert len(list((data / "cases").glob("*.yaml"))) >= parallel.MIN_ITEMS
    mapped: list[int] = []

    def spy(fn: Any, items: Any, **kw: Any) -> Any:
        mapped.append(len(items))
        return split_map(fn, items, **kw)

    monkeypatch.setattr(incremental, "split_map", spy)
    build(data, tmp_path / "two", None)
    assert len(mapped) == 2 and min(mapped) >= parallel.MIN_ITEMS  # reading, then making the triples
    monkeypatch.setattr(parallel, "cores", lambda: 1)
    build(data, tmp_path / "one", None)
    two, one = current(tmp_path / "two"), current(tmp_path / "one")
    assert two is not None and one is not None
    names = sorted(p.name for p in one.path.iterdir() if p.is_file() and p.name != "manifest.json")
    assert "dxkg.nt" in names and "analysis.json" in names
    for name in names:
        assert (two.path / name).read_bytes() == (one.path / name).read_bytes(), name


def _rebuild_watching_forks(data: Path, out: Path, send: Any) -> None:
    """build() in a fresh interpreter (run by spawn: nothing has opened a store there, so it may fork),
    with kg.parallel.start watched; sends whether each start forked, and the progress lines."""
    forked: list[bool] = []
    real = parallel.start

    def spy(fn: Any) -> Any:
        deferred = real(fn)
        forked.append(deferred.forked)
        return deferred

    parallel.start = spy  # this interpreter ends with the call
    said: list[str] = []
    build(data, out, None, progress=said.append)
    send.send((forked, said))


def test_a_rebuild_makes_the_analysis_files_in_a_second_process(data_copy: Path, tmp_path: Path) -> None:
    """After an edit, the analysis files are made by a forked child while the build writes the graph: the
    same files as a build from scratch, and what the child did is told by the build."""
    import multiprocessing

    if parallel.cores() < 2 or "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("one core, or no fork")
    out = tmp_path / "build"
    build(data_copy, out, None)
    ina = data_copy / "cases" / "ina.yaml"
    ina.write_text(ina.read_text(encoding="utf-8").replace("value: 66528", "value: 66529"), encoding="utf-8")
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_rebuild_watching_forks, args=(data_copy, out, send))
    child.start()
    forked, said = receive.recv()
    child.join()
    assert forked == [True]
    assert any(m.startswith("analysis rows of ") for m in said) and \
        any(m.startswith("word vectors: 0 texts tokenised") for m in said), said
    build(data_copy, tmp_path / "cold", None)
    here, cold = current(out), current(tmp_path / "cold")
    assert here is not None and cold is not None
    for name in ("analysis.json", "analysis-text.json", "analysis-index.npz", "analysis-terms.json", "dxkg.nt"):
        assert (here.path / name).read_bytes() == (cold.path / name).read_bytes(), name


def test_a_process_running_threads_is_not_forked() -> None:
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not parallel.can_fork()
        assert not parallel.start(lambda: 1).forked  # done here instead, when asked
    finally:
        stop.set()
        worker.join()
