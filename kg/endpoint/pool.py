"""Admission control: which query runs where and when, so that fast queries stay fast.

- Every query gets one deadline from the moment its request arrived: the wait for a worker, the
  check, the evaluation and the writing of the answer all count against it; a worker past it is killed.
- A query that has used `slow_after` seconds of CPU is long-running. A query text that used more
  than that last time (or was stopped) goes straight to the long-running lane: it waits for a slot (in the queue)
  rather than take a worker kept for new queries. At most `slow_slots` run at once;
  others are paused (SIGSTOP) and resumed in turn as slots free, their deadline still running; past
  `max_parked` paused, one more is stopped (503 with Retry-After). So no more than `slow_slots`
  processes compete with the short queries for the cores, reniced so that the short ones come first;
  a worker is put back to nice 0 and kept for reuse where the process may do so, else retired.
- However many workers are held by long-running queries, `fast_size` others are kept for new queries
  (the host forks more, in milliseconds): slow queries cannot hold every worker.
- At most `max_queue` requests wait for a worker; one more gets 503 with Retry-After.
- Workers have a memory limit (kg.endpoint.workers); one that dies is replaced, and its query
  answered 503.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection

from kg.endpoint.workers import HostConfig, Job, Outcome, host_main


class WorkerFailed(Exception):
    """The store host or a worker could not start."""


class Busy(Exception):
    """Refused for load, not for the query: answer 503 with Retry-After."""


class Stopped(Exception):
    """The query was stopped: over its time, memory, or the long-running quota (503)."""


@dataclass(frozen=True)
class Limits:
    fast_size: int = 2  # workers kept for new queries
    slow_slots: int = 2  # long-running queries at once
    slow_after: float = 0.5  # seconds before a query counts as long-running
    max_queue: int = 64  # requests waiting for a worker
    max_parked: int = 8  # long-running queries paused while the slots are full
    memory_mb: int = 2048  # per worker
    in_memory: bool = True  # copy the store into memory at start


def default_workers() -> int:
    """Workers kept for new queries: one per core this process may use, at least two."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 2
    return max(2, cores)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used (Linux /proc; 0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Worker:
    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self.conn = conn
        self.started = 0.0  # when its current job was sent; 0 when idle
        self.cpu_start = 0.0  # the process's CPU seconds then
        self.slow = False  # running as one of the long-running slots
        self.parked = False  # long-running, paused until a slot frees
        self.reniced = False
        self.stop_reason = ""

    def kill(self, reason: str = "") -> None:
        if reason and not self.stop_reason:
            self.stop_reason = reason
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Pool:
    """The store host and its workers, with the admission rules above."""

    def __init__(self, store_path: str, limits: Limits | None = None, start_timeout: float = 600.0) -> None:
        self.limits = limits or Limits()
        ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no fork of a threaded server
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config = HostConfig(store_path, self.limits.in_memory, self.limits.memory_mb)
        self._host = ctx.Process(target=host_main, args=(config, theirs), daemon=True, name="dxkg-store-host")
        self._host.start()
        theirs.close()
        self._control.settimeout(start_timeout)
        try:
            reply = self._control.recv(8192)
        except (OSError, TimeoutError) as exc:
            self._stop_host()
            raise WorkerFailed(f"the store host did not start: {exc}") from exc
        if reply != b"R":
            self._stop_host()
            detail = reply[1:].decode("utf-8", "replace") if reply else "it exited"
            raise WorkerFailed(f"the store host could not start: {detail}")
        self._control.settimeout(30)
        self._lock = threading.Condition()
        self._fork_lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._waiting = 0
        self._closed = False
        self._history: OrderedDict[str, float] = OrderedDict()  # query text -> seconds it last took
        for _ in range(self.limits.fast_size + self.limits.slow_slots):  # forked now: none is cold when needed
            self._idle.append(self._fork())
        self._stop = threading.Event()
        self._monitor = threading.Thread(target=self._watch, daemon=True, name="dxkg-admission")
        self._monitor.start()

    # --- workers -----------------------------------------------------------------------------------
    def _fork(self) -> _Worker:
        with self._fork_lock:
            try:
                self._control.send(b"F")
                data, fds, _flags, _addr = socket.recv_fds(self._control, 64, 1)
            except OSError as exc:
                raise WorkerFailed(f"the store host cannot start a worker: {exc}") from exc
        if not fds:
            raise WorkerFailed("the store host stopped")
        return _Worker(int.from_bytes(data[:8], "little"), Connection(fds[0]))

    def _retire(self, w: _Worker) -> None:
        w.kill()
        w.conn.close()

    def _stop_host(self) -> None:
        self._control.close()
        self._host.join(5)
        if self._host.is_alive():
            self._host.kill()
            self._host.join(5)

    @property
    def pids(self) -> list[int]:
        """The store host's and the workers' process ids."""
        with self._lock:
            return [self._host.pid or 0] + [w.pid for w in self._idle + list(self._busy)]

    @property
    def sizes(self) -> dict[str, int]:
        with self._lock:
            return {"idle": len(self._idle), "busy": len(self._busy), "waiting": self._waiting,
                    "slow": sum(w.slow for w in self._busy)}

    # --- admission ---------------------------------------------------------------------------------
    def _acquire(self, deadline: float, known_slow: bool) -> _Worker:
        with self._lock:
            waited = False
            try:
                while True:
                    if self._closed:
                        raise Busy("the endpoint is stopping")
                    if known_slow:  # straight to a long-running slot, never a worker kept for new queries
                        if sum(w.slow for w in self._busy) < self.limits.slow_slots:
                            w = self._idle.pop() if self._idle else self._fork()
                            w.slow = True
                            break
                    elif sum(not w.slow and not w.parked for w in self._busy) < self.limits.fast_size:
                        # the others, if any, are held by long-running queries; a kept worker is warm
                        w = self._idle.pop() if self._idle else self._fork()
                        break
                    if not waited:
                        if self._waiting >= self.limits.max_queue:
                            raise Busy(f"{self._waiting} queries are already waiting for a worker; retry shortly")
                        self._waiting += 1
                        waited = True
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise Stopped("every query worker stayed busy until the time limit")
                    self._lock.wait(remaining)
            finally:
                if waited:
                    self._waiting -= 1
            w.started = time.monotonic()
            w.cpu_start = _cpu_seconds(w.pid)
            self._busy.add(w)
            return w

    def _release(self, w: _Worker, healthy: bool) -> None:
        with self._lock:
            self._busy.discard(w)
            w.started = 0.0
            keep = (healthy and not self._closed and self._restore_priority(w)
                    and len(self._idle) < self.limits.fast_size + self.limits.slow_slots)
            if keep:
                self._idle.append(w)  # reused first: the warmest (last used) is popped first
            if w.slow or w.parked:
                w.slow = w.parked = False
                self._resume_parked()
            self._lock.notify_all()  # a waiter of either lane may now proceed
        if not keep:
            self._retire(w)

    def _promote(self, w: _Worker) -> None:
        """Give a long-running query a slot at a lower priority (nice 10), so the scheduler favours the
        short queries beside it, and let it run if it was paused."""
        w.slow = True
        try:
            os.setpriority(os.PRIO_PROCESS, w.pid, 10)
            w.reniced = True
            if w.parked:
                os.kill(w.pid, signal.SIGCONT)
        except OSError:
            pass
        w.parked = False

    @staticmethod
    def _restore_priority(w: _Worker) -> bool:
        """Back to nice 0 for reuse; False where this process may not lower a niceness (unprivileged, with
        RLIMIT_NICE at 0): such a worker is retired rather than kept at low priority."""
        if not w.reniced:
            return True
        try:
            os.setpriority(os.PRIO_PROCESS, w.pid, 0)
        except OSError:
            return False
        w.reniced = False
        return True

    def _resume_parked(self) -> None:
        """With the lock held: resume paused queries, oldest first, while slots are free."""
        slots = self.limits.slow_slots - sum(x.slow for x in self._busy)
        for x in sorted((x for x in self._busy if x.parked), key=lambda x: x.started)[:max(0, slots)]:
            self._promote(x)

    def run(self, job: Job, timeout: float, arrived: float | None = None) -> Outcome:
        """Run a job within `timeout` seconds of `arrived` (time.monotonic()); Busy or Stopped when refused."""
        deadline = (arrived or time.monotonic()) + timeout
        with self._lock:
            known_slow = self._history.get(job.query, 0.0) > self.limits.slow_after
        w = self._acquire(deadline, known_slow)
        began = time.monotonic()
        healthy = False
        try:
            try:
                w.conn.send(job)
                if not w.conn.poll(max(0.0, deadline - time.monotonic())):
                    w.kill(f"the query ran longer than the {timeout:g} s limit and was stopped")
                    raise Stopped(w.stop_reason)
                outcome = w.conn.recv()
            except (EOFError, OSError) as exc:
                w.kill()
                reason = w.stop_reason or (f"the query worker stopped while answering: the query needed more "
                                           f"than the {self.limits.memory_mb} MB a query may use, or it crashed")
                raise Stopped(reason) from exc
            healthy = True
            return outcome
        finally:
            with self._lock:  # the CPU it took (or had taken when stopped) decides its lane next time
                self._history[job.query] = _cpu_seconds(w.pid) - w.cpu_start if healthy else time.monotonic() - began
                self._history.move_to_end(job.query)
                if len(self._history) > 4096:
                    self._history.popitem(last=False)
            self._release(w, healthy)

    def _watch(self) -> None:
        """Every 50 ms: give queries that became long-running a slot, or pause them until one frees."""
        while not self._stop.wait(0.05):
            with self._lock:
                # CPU time, not wall time: on a busy machine a short query may wait for a core, and it must
                # not be taken for a long one (and paused) for that
                fresh = sorted((w for w in self._busy if not w.slow and not w.parked and w.started
                                and _cpu_seconds(w.pid) - w.cpu_start > self.limits.slow_after),
                               key=lambda w: w.started)
                if not fresh:
                    continue
                slow = sum(w.slow for w in self._busy)
                parked = sum(w.parked for w in self._busy)
                for w in fresh:
                    if slow < self.limits.slow_slots:
                        self._promote(w)
                        slow += 1
                    elif parked < self.limits.max_parked:
                        w.parked = True
                        parked += 1
                        try:
                            os.kill(w.pid, signal.SIGSTOP)
                        except OSError:
                            pass
                    else:
                        w.kill(f"{slow + parked} long-running queries are already running or waiting (the most "
                               "at once); this one was stopped: retry later")
                self._lock.notify_all()  # a waiting request may now get a fresh worker

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = self._idle + list(self._busy)
            self._idle = []
            self._lock.notify_all()
        if hasattr(self, "_stop"):
            self._stop.set()
        for w in workers:
            self._retire(w)
        self._stop_host()
