"""A list mapped by two processes: the second half in a forked child, the first here.

Reading YAML and making triples are pure Python, held to one core by the GIL, and a cold build at
national scale spends most of its time there. A forked child starts with everything the parent has
(the code, the records read so far) without pickling it; only the results come back, pickled, through
a pipe. The child writes nothing anywhere: a build killed at any moment leaves no more than before
(the child then dies on its broken pipe). Where fork is missing, or the machine has one core, or the
list is short, the map runs here alone.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a child costs more (a fork, pickling the results) than it saves.
MIN_ITEMS = 64


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def split_map(fn: Callable[[T], R], items: Sequence[T], min_items: int = MIN_ITEMS) -> list[R]:
    """[fn(x) for x in items], the second half computed by a forked child when it pays."""
    import multiprocessing

    if len(items) < min_items or cores() < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(x) for x in items]
    half = len(items) // 2
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(fn, items[half:], send), daemon=True)
    child.start()
    send.close()  # the child holds its own end: reading ours sees EOF if it dies
    try:
        mine = [fn(x) for x in items[:half]]
        try:
            status, value = receive.recv()
        except EOFError:
            raise RuntimeError(f"the worker process ended without its results (exit code {child.exitcode})") \
                from None
    finally:
        receive.close()
        child.join()
    if status != "ok":
        raise RuntimeError(f"the worker process failed:\n{value}")
    theirs: list[R] = value
    return mine + theirs


def _child(fn: Callable[[Any], Any], items: Sequence[Any], send: Any) -> None:
    try:
        result: tuple[str, Any] = ("ok", [fn(x) for x in items])
    except BaseException:  # noqa: BLE001 - whatever it was, the parent reports it
        result = ("error", traceback.format_exc())
    try:
        send.send(result)
    except OSError:  # the parent stopped listening (it failed, or was killed): nothing to tell
        pass
    send.close()
