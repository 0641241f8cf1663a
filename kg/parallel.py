"""Work done by a second process: a forked child computes, only its result comes back.

Reading YAML, making triples and the analysis files are pure Python, held to one core by the GIL,
and a build at national scale spends most of its time there. A forked child starts with everything
the parent has (the code, the records read so far) without pickling it; only the result comes back,
pickled, through a pipe. A child writes only what its parent would have written in its place, as the
parent would (whole files, under the build folder's lock the parent holds): a build killed at any moment
leaves no more than a killed single process would (the kernel kills the child with its parent).

A process is forked only while it runs one thread (a fork copies no other thread, and a lock one of
them held would stay held in the child for ever): Python's threads and the threads of the libraries
underneath (RocksDB's, once a store has been opened) are counted, which only Linux lets us do. Where
they cannot be counted, or the machine has one core, or the process runs other threads, the work is
done here, when its result is asked for.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a child costs more (a fork, pickling the results) than it saves.
MIN_ITEMS = 64
# Past this many processes the results piped back to one parent cost more than the slices save.
MAX_WAYS = 8


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _one_thread() -> bool:
    """Whether this process runs one thread, native ones included: known only where Linux lists them
    (/proc/self/task); elsewhere the answer is no, and nothing is forked."""
    tasks = Path("/proc/self/task")
    return threading.active_count() == 1 and tasks.is_dir() and len(list(tasks.iterdir())) == 1


def can_fork() -> bool:
    import multiprocessing

    return cores() >= 2 and "fork" in multiprocessing.get_all_start_methods() and _one_thread()


class Deferred(Generic[R]):
    """fn() computed by a forked child (see `start`), or here when `result` is asked for."""

    def __init__(self, fn: Callable[[], R]):
        self.fn = fn
        self.child: Any = None
        self.receive: Any = None
        self.forked = False
        self.done = False
        self.value: Any = None

    def _fork(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        # Not a daemon: a daemonic process may not start children, and this one may (a child of a child).
        self.child = ctx.Process(target=_child, args=(self.fn, send))
        self.child.start()
        self.forked = True
        send.close()  # the child holds its own end: reading ours sees EOF if it dies

    def result(self) -> R:
        """The value (waiting for the child); a failure in the child raises RuntimeError with its traceback."""
        if not self.done:
            if self.forked and self.child is None:
                raise RuntimeError("the worker process was stopped before it gave its results")
            self.value = self._collect() if self.forked else self.fn()
            self.done = True
        value: R = self.value
        return value

    def _collect(self) -> Any:
        try:
            status, value = self.receive.recv()
        except EOFError:
            raise RuntimeError(f"the worker process ended without its results (exit code {self.child.exitcode})") \
                from None
        finally:
            self.close()
        if status != "ok":
            raise RuntimeError(f"the worker process failed:\n{value}")
        return value

    def close(self) -> None:
        """Stop waiting: a child whose result was not collected is killed (nothing it did is kept)."""
        if self.child is None:
            return
        self.receive.close()
        if self.child.is_alive():  # not done, or only closing its end after sending
            self.child.kill()
        self.child.join()
        self.child = None


State = TypeVar("State")
Given = TypeVar("Given")  # the input a prepared worker awaits


class Awaiting(Deferred[R], Generic[State, Given, R]):
    """then(first(), x): `first` begun now by a forked child (see `prepare`), `x` given later (`give`).

    For work whose first part needs nothing the caller is still computing (reading what an earlier build
    left) while a core would otherwise wait. Without a child, both parts are done here when the result is
    asked for; a child that is given nothing (`close`) stops without a word."""

    def __init__(self, first: Callable[[], State], then: Callable[[State, Given], R]):
        super().__init__(lambda: then(first(), self._given()))
        self.first, self.then = first, then
        self.inbox: Any = None
        self.given: list[Given] = []

    def _given(self) -> Given:
        if not self.given:
            raise RuntimeError("the worker was never given its input")
        return self.given[0]

    def _fork(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        inbox, self.inbox = ctx.Pipe(duplex=False)
        self.receive, send = ctx.Pipe(duplex=False)
        self.child = ctx.Process(target=_awaiting_child, args=(self.first, self.then, inbox, send))
        self.child.start()
        self.forked = True
        send.close()
        inbox.close()

    def give(self, value: Given) -> None:
        """The input `then` awaits (once)."""
        if self.given:
            raise RuntimeError("the worker was given its input already")
        self.given.append(value)
        if self.forked and self.inbox is not None:
            try:
                self.inbox.send(value)
            except OSError:  # the child is gone: `result` says how it ended
                pass
            self.inbox.close()
            self.inbox = None

    def close(self) -> None:
        if self.inbox is not None:  # never given: the child reads EOF and ends
            self.inbox.close()
            self.inbox = None
        super().close()


def prepare(first: Callable[[], State], then: Callable[[State, Given], R]) -> Awaiting[State, Given, R]:
    """then(first(), x) with `first` begun now in a forked child when that is safe (as `start`), `x` given
    later by `Awaiting.give`."""
    awaiting: Awaiting[State, Given, R] = Awaiting(first, then)
    if can_fork():
        awaiting._fork()
    return awaiting


def start(fn: Callable[[], R]) -> Deferred[R]:
    """fn() begun in a forked child when that is safe and there is a second core; else done on `result()`."""
    deferred = Deferred(fn)
    if can_fork():
        deferred._fork()
    return deferred


def on_own_heap(fn: Callable[[], R]) -> R:
    """fn(), run by a short-lived thread, so that what it allocates comes from that thread's malloc arena.

    glibc gives each thread an arena of its own. A large structure built in the main thread's arena (an
    in-memory store of 1.7 M triples) leaves it so fragmented that every later allocation there searches
    long free lists: tokenising after it took three to four times as long, in this process and in the
    children it forks (bench/bench_heap.py). Built here, it leaves the main arena as it was.
    """
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(("ok", fn()))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box.append(("error", exc))

    thread = threading.Thread(target=run, name="dxkg-own-heap")
    thread.start()
    thread.join()
    _gone(thread)
    status, value = box[0]
    if status == "error":
        raise value
    result: R = value
    return result


def _gone(thread: threading.Thread, wait: float = 1.0) -> None:
    """Wait (a little) until a joined thread has left the system's list too: `join` returns a moment before
    the thread ends, and a fork asked for just after would find two threads and not happen."""
    import time

    task = Path(f"/proc/self/task/{thread.native_id}")
    deadline = time.monotonic() + wait
    while task.exists() and time.monotonic() < deadline:
        time.sleep(0.0005)


def split_map(fn: Callable[[T], R], items: Sequence[T], min_items: int = MIN_ITEMS,
              ways: int | None = None) -> list[R]:
    """[fn(x) for x in items] in `ways` contiguous slices (default: one per core, at most MAX_WAYS; fewer when
    the items are few: `min_items` make two), all but the first begun in forked children (kg.parallel.start:
    a slice that cannot be forked is computed here when its turn comes)."""
    ways = min(cores() if ways is None else ways, MAX_WAYS, 2 * len(items) // max(1, min_items))
    if ways <= 1:
        return [fn(x) for x in items]
    bounds = [len(items) * k // ways for k in range(ways + 1)]
    theirs = [start(partial(_map, fn, items[bounds[k]:bounds[k + 1]])) for k in range(1, ways)]
    try:
        out = _map(fn, items[:bounds[1]])
        for deferred in theirs:
            out += deferred.result()
        return out
    finally:
        for deferred in theirs:
            deferred.close()


def _map(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [fn(x) for x in items]


def _child(fn: Callable[[], Any], send: Any) -> None:
    _die_with_parent()
    try:
        result: tuple[str, Any] = ("ok", fn())
    except BaseException:  # noqa: BLE001 - whatever it was, the parent reports it
        result = ("error", traceback.format_exc())
    try:
        send.send(result)
    except OSError:  # the parent stopped listening (it failed, or was killed): nothing to tell
        pass
    send.close()


def _awaiting_child(first: Callable[[], Any], then: Callable[[Any, Any], Any], inbox: Any, send: Any) -> None:
    _die_with_parent()
    try:
        state: tuple[str, Any] = ("ok", first())
    except BaseException:  # noqa: BLE001 - reported once the input comes, as a failure of the whole
        state = ("error", traceback.format_exc())
    try:
        value = inbox.recv()
    except (EOFError, OSError):  # closed without an input: nothing was asked of this child
        return
    if state[0] == "ok":
        try:
            result: tuple[str, Any] = ("ok", then(state[1], value))
        except BaseException:  # noqa: BLE001
            result = ("error", traceback.format_exc())
    else:
        result = state
    try:
        send.send(result)
    except OSError:
        pass
    send.close()


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this child when its parent dies (a killed build): its work is lost
    anyway, and it should not go on using a core."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the child ends on its broken pipe instead
        return
    if os.getppid() == 1:  # the parent died before the call above
        os._exit(1)
