"""The library's errors: one base class, and the exit status a command gives for each.

The exit statuses follow pySHACL's: 0 ok, 1 invalid (the data, the query or a name the user gave
is wrong or names nothing), 2 error (usage, a missing build or file, a server that cannot be
reached). A command catches `DxkgError` once and exits with the error's `exit_status`.
"""

from __future__ import annotations

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


class DxkgError(Exception):
    """Base of every error the library raises on purpose; `exit_status` is what the CLI exits with."""

    exit_status = EXIT_INVALID


class EnvironmentProblem(DxkgError):
    """Something outside the input is missing or broken: no build, an unreadable file, an unreachable server."""

    exit_status = EXIT_ERROR
