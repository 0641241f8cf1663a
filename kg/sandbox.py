"""Take away a process's network for good, before it evaluates queries (Linux seccomp).

SPARQL engines fetch from the network (SERVICE, LOAD; rdflib also FROM), and a check made with one
parser never binds another: rdflib and Oxigraph disagree on where a comment ends, for example. So the
processes that evaluate queries someone else wrote (the endpoint's workers, `dxkg query`) call
`deny_network()` first (the analysis commands evaluate only dxkg's own SELECTs, with no SERVICE
or LOAD). It installs a seccomp filter, through libseccomp, that makes `socket()` fail for every
address family but AF_UNIX (so no TCP, UDP, raw, netlink or packet socket can exist) and
refuses io_uring (which can open sockets without the `socket` system call) and ptrace-like access to
other processes. The filter covers every thread of the process, is inherited by every child and can
never be removed. A seccomp filter rather than a network namespace: a namespace needs privileges or
unprivileged user namespaces, which containers commonly refuse, and it still leaves sockets to open
(loopback inside it, abstract Unix sockets); a filter needs no privilege and leaves no socket at all.

Where the kernel or the platform refuses (not Linux, no libseccomp, seccomp disabled), it raises
`SandboxError` rather than carrying on unprotected.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from kg.errors import EnvironmentProblem

T = TypeVar("T")


class SandboxError(EnvironmentProblem):
    """The network could not be taken away from this process (exit status 2)."""


# Syscalls refused besides non-Unix sockets: io_uring creates sockets and connects without socket()/
# connect(), and ptrace / process_vm_writev could make another (unfiltered) process act instead.
_REFUSED = ("io_uring_setup", "io_uring_enter", "io_uring_register", "ptrace", "process_vm_writev",
            "process_vm_readv", "pidfd_getfd")


def network_denied() -> bool:
    """Whether this process already runs under the filter (it then refuses AF_INET sockets)."""
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        return True
    probe.close()
    return False


def deny_network() -> None:
    """Make this process (and every thread and child it has or will have) unable to open a network socket.

    Idempotent: calling it again in a process already under the filter does nothing. Raises
    SandboxError when the filter cannot be installed or does not hold afterwards.
    """
    if not sys.platform.startswith("linux"):
        raise SandboxError(f"queries run only where the network can be taken away from them (Linux seccomp); "
                           f"this is {sys.platform}")
    if network_denied():
        return
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError, OSError) as exc:  # pyseccomp raises RuntimeError without libseccomp
        raise SandboxError(f"cannot load libseccomp to take the network away from queries ({exc}); "
                           "install libseccomp2 (Debian: apt-get install libseccomp2)") from exc
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread of the process, not only this one
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        for name in _REFUSED:
            try:
                rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
            except (OSError, ValueError):  # a syscall this architecture or libseccomp does not know
                continue
        rules.load()
    except OSError as exc:
        raise SandboxError(f"the kernel refused the seccomp filter that takes the network away from queries "
                           f"({exc}); run on a kernel or container that allows seccomp") from exc
    if not network_denied():
        raise SandboxError("the seccomp filter was loaded but a network socket can still be opened")


def isolated(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` evaluated in a forked child that has no network (deny_network), its value or exception
    handed back pickled; the calling process keeps its own network (a test runner, a server's parent).

    The child inherits everything already imported, so this costs a fork (milliseconds), not a new
    interpreter. It writes only to its pipe and leaves with os._exit, so it touches no lock or buffer
    it shares with the parent.
    """
    import pickle

    if not hasattr(os, "fork"):
        raise SandboxError(f"queries run only where the network can be taken away from them (Linux seccomp); "
                           f"this is {sys.platform}")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 0
        try:
            os.close(read_end)
            try:
                deny_network()
                outcome: tuple[bool, Any] = (True, fn(*args))
            except BaseException as exc:  # handed to the parent, which raises it
                outcome = (False, exc)
            try:
                data = pickle.dumps(outcome)
            except Exception as exc:  # an unpicklable value or exception
                data = pickle.dumps((False, SandboxError(f"the isolated call failed: {exc!r}")))
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as pipe:
        while chunk := pipe.read(1 << 20):
            chunks.append(chunk)
    _, wait_status = os.waitpid(pid, 0)
    if not chunks:
        raise SandboxError(f"the isolated process ended without an answer (wait status {wait_status})")
    ok, value = pickle.loads(b"".join(chunks))
    if not ok:
        raise value
    return value
