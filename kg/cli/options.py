"""Options `similar` and `assess` share, and a choice whose bad value is invalid input (exit 1).

click reports a bad option value as a usage error (exit 2); for these commands a value outside
the choices is invalid input like an unknown name (exit 1), while a malformed command line (an
unknown option, a missing argument) stays a usage error (exit 2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from kg.errors import EXIT_INVALID


class BadValue(click.BadParameter):
    """A value outside an option's choices: invalid input, exit status 1."""

    exit_code = EXIT_INVALID


class Choice(click.Choice):
    """click.Choice, exiting 1 on a bad value."""

    def fail(self, message: str, param: click.Parameter | None = None, ctx: click.Context | None = None) -> Any:
        raise BadValue(message, ctx=ctx, param=param)


def reliability_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--min-reliability", type=Choice(["primary", "secondary"]), default="primary",
                        show_default=True,
                        help="The least reliable sources whose cases count: primary (reports and inspection "
                             "records) or secondary (also unverified articles, such as 003).")(f)


def suggested_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--include-suggested", is_flag=True,
                        help="Count curated tags with basis suggested (left out by default).")(f)


def lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--lang", type=Choice(["ja", "en"]), default="ja", show_default=True,
                        help="Language of names and labels.")(f)

