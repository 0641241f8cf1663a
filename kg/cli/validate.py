"""dxkg validate"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import (
    EXIT_INVALID,
    check_options,
    data_option,
    fail,
    progress,
    report_problems,
    resolve_data,
    resolve_sources,
)


@click.command("validate")
@data_option
@check_options
def command(data_dir: Path | None, sources_dir: Path | None, no_sources: bool, quiet: bool,
            shacl_engine: str) -> None:
    """Check the data and the graph: SHACL, references, code check digits and quotes.

    Every quote must occur verbatim (whitespace aside) in its source text when the
    source texts are at hand. Exit status: 0 valid, 1 invalid, 2 error.
    """
    from kg.build import check

    sources = resolve_sources(sources_dir, no_sources)
    result = check(resolve_data(data_dir), sources, progress=progress(quiet), shacl_engine=shacl_engine)
    if result.problems:
        report_problems(result.problems)
        fail(f"invalid: {len(result.problems)} problem(s)", EXIT_INVALID)
    quotes = "quotes checked" if result.quotes_checked else "quotes NOT checked (no source texts)"
    click.echo(f"valid: {result.counts.evidence} pieces of evidence, {result.triples} triples, "
               f"SHACL conforms, {quotes}")
