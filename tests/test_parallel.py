"""A second process for the build: the same results as one, failures reported, never a fork with threads.

A process that has opened an Oxigraph store runs RocksDB's threads, and kg.parallel then declines to
fork (by design). The test session opens stores, so what must fork runs in a fresh interpreter
(`_fresh`, multiprocessing's spawn), as `dxkg build` does.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg import parallel
from kg.build import build
from kg.parallel import split_map
from kg.synth import write_synthetic
from tests.conftest import assert_same_as_cold


def _run(fn: Callable[..., Any], args: tuple[Any, ...], send: Any) -> None:
    try:
        send.send(("ok", fn(*args)))
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        send.send(("error", f"{type(exc).__name__}: {exc}"))


def _fresh(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) in a fresh interpreter (one thread, no store opened); its exception becomes an AssertionError."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_run, args=(fn, args, send))
    child.start()
    status, value = receive.recv()
    child.join()
    assert status == "ok", value
    return value


@pytest.fixture(autouse=True)
def _two_cores() -> None:
    if parallel.cores() < 2 or not Path("/proc/self/task").is_dir():
        pytest.skip("one core, or threads that cannot be counted (not Linux): everything runs in one process")


def _square_with_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _map_squares(n: int, min_items: int, ways: int | None = 2) -> tuple[int, list[tuple[int, int]]]:
    return os.getpid(), split_map(_square_with_pid, list(range(n)), min_items=min_items, ways=ways)


def test_the_halves_come_back_in_order_from_two_processes() -> None:
    me, out = _fresh(_map_squares, 100, 10)
    assert [v for v, _ in out] == [x * x for x in range(100)]
    pids = [pid for _, pid in out]
    assert set(pids[:50]) == {me} and me not in pids[50:]  # the second half elsewhere


def test_more_slices_than_two_come_back_in_order_each_from_its_own_process() -> None:
    """On a machine with more cores the build reads and makes triples in as many processes (here asked
    for: the slices' processes share this machine's cores)."""
    me, out = _fresh(_map_squares, 101, 10, 5)
    assert [v for v, _ in out] == [x * x for x in range(101)]
    bounds = [101 * k // 5 for k in range(6)]
    slices = [{pid for _, pid in out[bounds[k]:bounds[k + 1]]} for k in range(5)]
    assert slices[0] == {me} and all(len(s) == 1 for s in slices)
    assert len(set().union(*slices)) == 5  # five processes, one per slice


def test_a_short_list_stays_in_this_process() -> None:
    me, out = _fresh(_map_squares, 5, 10)
    assert {pid for _, pid in out} == {me}


def _fail_late(x: int) -> int:
    if x == 15:
        raise ValueError("bad item 15")
    return x


def _die_late(x: int) -> int:
    if x == 15:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def _error_of(fn: Callable[[int], int]) -> str:
    try:
        split_map(fn, list(range(20)), min_items=10)
    except RuntimeError as exc:
        return str(exc)
    return "no error"


def test_a_failure_in_the_child_is_reported_with_its_traceback() -> None:
    message = _fresh(_error_of, _fail_late)
    assert "worker process failed" in message and "ValueError: bad item 15" in message
    assert "Traceback" in message


def test_a_killed_child_is_an_error_not_a_hang() -> None:
    assert "ended without its results" in _fresh(_error_of, _die_late)


def test_a_process_running_threads_is_not_forked() -> None:
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not parallel.can_fork()
        deferred = parallel.start(lambda: os.getpid())
        assert not deferred.forked and deferred.result() == os.getpid()  # done here instead, when asked
    finally:
        stop.set()
        worker.join()


def _forkable_after_own_heap(times: int) -> list[bool]:
    return [parallel.on_own_heap(lambda: True) and parallel.can_fork() for _ in range(times)]


def test_work_on_its_own_heap_gives_its_value_or_its_error_and_leaves_one_thread() -> None:
    """on_own_heap runs its function in a thread of its own (whose malloc arena is its own), returns its
    value or raises its exception here, and the process can fork just after (a joined thread lingers a
    moment in /proc/self/task: a plain join then a fork failed 1 time in 40)."""
    here = threading.get_ident()
    assert parallel.on_own_heap(threading.get_ident) != here

    def fail() -> None:
        raise KeyError("from the other thread")

    with pytest.raises(KeyError, match="from the other thread"):
        parallel.on_own_heap(fail)
    assert all(_fresh(_forkable_after_own_heap, 300))


def _watch_forks() -> list[bool]:
    """Have kg.parallel.start and kg.parallel.prepare note whether each call forked (for a fresh interpreter,
    which ends with the test)."""
    forked: list[bool] = []
    real_start, real_prepare = parallel.start, parallel.prepare

    def spy_start(fn: Any) -> Any:
        deferred = real_start(fn)
        forked.append(deferred.forked)
        return deferred

    def spy_prepare(first: Any, then: Any) -> Any:
        awaiting = real_prepare(first, then)
        forked.append(awaiting.forked)
        return awaiting

    parallel.start, parallel.prepare = spy_start, spy_prepare
    return forked


def _build_watching_forks(data: Path, out: Path, engine: str) -> tuple[list[bool], list[str]]:
    """build() with kg.parallel.start watched: whether each start forked, and the progress lines."""
    forked = _watch_forks()
    said: list[str] = []
    build(data, out, None, progress=said.append, shacl_engine=engine)
    return forked, said


def test_a_cold_build_in_two_processes_writes_the_bytes_of_one(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """80 synthetic case files: reading and making triples fork, and the store and the analysis files are
    made by children while SHACL runs; every output is byte for byte what a build in one process writes."""
    data = tmp_path / "data"
    write_synthetic(data, 80)
    assert len(list((data / "cases").glob("*.yaml"))) >= parallel.MIN_ITEMS
    forked, said = _fresh(_build_watching_forks, data, tmp_path / "two", "sparql")
    assert forked == [True, True, True, True], said  # reading, the triples, the store, the analysis files
    loading = next(n for n, m in enumerate(said) if m.startswith("loading the store"))
    assert loading < next(n for n, m in enumerate(said) if m.startswith("validating")), said
    monkeypatch.setattr(parallel, "cores", lambda: 1)  # the build to compare with: in one process
    assert_same_as_cold(data, tmp_path / "two", tmp_path, None, "sparql")


def _first_build_found_invalid(data: Path, out: Path) -> tuple[str, list[bool], list[str], int]:
    """A first build whose graph SHACL finds invalid (the validator stubbed to say so), in this interpreter:
    the error, whether each second process forked, what the build folder holds, the children still running."""
    from kg import build as build_module
    from kg.load import DataInvalid, Problem
    from kg.yamlio import Loc

    build_module.sparql_shacl_problems = lambda *_a, **_k: [Problem(Loc("shacl", 0), "invalid")]
    forked = _watch_forks()
    try:
        build(data, out, None, shacl_engine="sparql")
    except DataInvalid as exc:
        return str(exc), forked, sorted(p.name for p in out.iterdir()), len(multiprocessing.active_children())
    return "built", forked, [], 0


def test_a_first_build_found_invalid_stops_its_store_and_leaves_nothing(data_copy: Path, tmp_path: Path) -> None:
    """The store of a first build is loaded while SHACL runs; when SHACL finds a problem the loading process
    is stopped and its half-made generation removed: the folder holds no generation, no child runs."""
    message, forked, left, children = _fresh(_first_build_found_invalid, data_copy, tmp_path / "build")
    assert "invalid" in message
    assert forked[:1] == [True], forked  # the store was being loaded by a second process
    assert not [name for name in left if name.startswith((".gen-", "gen-", "current"))], left
    assert children == 0


def test_a_rebuild_makes_the_analysis_files_in_a_second_process(data_copy: Path, tmp_path: Path) -> None:
    """After an edit, the analysis files are made by a forked child from the previous rows while the
    build writes the graph (the child begun before the data is read, reading those rows meanwhile): the
    files of a build from scratch, and what the child did is told."""
    out = tmp_path / "build"
    build(data_copy, out, None)
    ina = data_copy / "cases" / "ina.yaml"
    ina.write_text(ina.read_text(encoding="utf-8").replace("value: 66528", "value: 66529"), encoding="utf-8")
    forked, said = _fresh(_build_watching_forks, data_copy, out, "auto")
    assert forked == [True], said  # six files: read in one process; the analysis update in a child
    assert any(m.startswith("analysis rows of ") for m in said) and \
        any(m.startswith("word vectors: 0 texts tokenised") for m in said), said
    assert_same_as_cold(data_copy, out, tmp_path, None)


def _index_watching_forks(nt: bytes) -> list[bool]:
    """The analysis index of a graph, made as a build's analysis process makes it: whether each start forked."""
    from kg.analysis.index import build_index
    from kg.analysis.records import extract
    from kg.shaclsparql import load_store
    from kg.text.tokens import TermMemo

    ex = extract(load_store(nt))
    forked = _watch_forks()
    memo = TermMemo.load(None)
    build_index(ex, memo)
    return [*forked, memo.made > parallel.MIN_ITEMS]


def test_the_word_vectors_texts_are_tokenised_by_two_processes(tmp_path: Path) -> None:
    """Tokenising is most of the analysis files' time in a build from scratch; numpy's threads (OpenBLAS starts
    them on import) would keep the index's process from forking, so it tokenises before importing numpy."""
    data = tmp_path / "data"
    write_synthetic(data, 20)
    build(data, tmp_path / "build", None)
    assert _fresh(_index_watching_forks, (tmp_path / "build" / "dxkg.nt").read_bytes()) == [True, True]


def _prepared_then_given(fail: str) -> tuple[int, tuple[int, int, str] | str, int]:
    """A worker whose first part runs before its input exists: its result, or the error it reports."""
    import time

    def first() -> tuple[int, float]:
        if fail == "prepare":
            raise ValueError("could not prepare")
        return os.getpid(), time.monotonic()

    def then(state: tuple[int, float], given: str) -> tuple[int, int, str]:
        if fail == "finish":
            raise ValueError("could not finish")
        return state[0], os.getpid(), given

    worker = parallel.prepare(first, then)
    time.sleep(0.2)  # the child prepares meanwhile
    worker.give("the input")
    try:
        out: tuple[int, int, str] | str = worker.result()
    except RuntimeError as exc:
        out = str(exc)
    finally:
        worker.close()
    return os.getpid(), out, len(multiprocessing.active_children())


def test_a_prepared_worker_begins_before_its_input_and_finishes_with_it() -> None:
    me, (prepared_in, finished_in, given), children = _fresh(_prepared_then_given, "")
    assert prepared_in == finished_in != me and given == "the input" and children == 0
    for where in ("prepare", "finish"):
        _, message, children = _fresh(_prepared_then_given, where)
        assert f"ValueError: could not {where}" in message and "worker process failed" in message, where
        assert children == 0


def _closed_unasked() -> tuple[bool, int, float]:
    import time

    worker = parallel.prepare(lambda: 1, lambda state, given: state + given)
    forked = worker.forked
    began = time.monotonic()
    worker.close()  # never given its input (a build that needed no update, or failed)
    return forked, len(multiprocessing.active_children()), time.monotonic() - began


def test_a_prepared_worker_never_given_its_input_is_stopped_at_once() -> None:
    forked, children, took = _fresh(_closed_unasked)
    assert forked and children == 0 and took < 5


def test_a_prepared_worker_in_a_process_with_threads_works_here() -> None:
    stop = threading.Event()
    worker_thread = threading.Thread(target=stop.wait)
    worker_thread.start()
    try:
        worker = parallel.prepare(lambda: os.getpid(), lambda state, given: (state, given))
        assert not worker.forked
        worker.give("x")
        assert worker.result() == (os.getpid(), "x")
    finally:
        stop.set()
        worker_thread.join()


def _invalid_rebuild(data: Path, out: Path) -> tuple[str, int]:
    from kg.load import DataInvalid

    ina = data / "cases" / "ina.yaml"
    ina.write_text(ina.read_text(encoding="utf-8").replace("value: 66528", "value: -5"), encoding="utf-8")
    forked = _watch_forks()
    try:
        build(data, out, None)
    except DataInvalid as exc:
        return f"{forked} {exc}", len(multiprocessing.active_children())
    return "built", 0


def test_a_rebuild_of_bad_data_stops_the_worker_it_began_early(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(data_copy, out, None)
    message, children = _fresh(_invalid_rebuild, data_copy, out)
    assert message.startswith("[True]") and "ina.yaml" in message, message  # begun, then the data refused
    assert children == 0
