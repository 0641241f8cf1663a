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
    resolve_build,
    resolve_data,
    resolve_sources,
)


@click.command("validate")
@data_option
@click.option("--build-dir", type=click.Path(path_type=Path), default=None,
              help="Build folder whose cache to read: files unchanged since a build there are not read again "
                   "(the folder is never written) [default: $DXKG_BUILD or ./build].")
@click.option("--no-cache", is_flag=True, help="Read and check every file again, whatever a build has cached.")
@check_options
def command(data_dir: Path | None, build_dir: Path | None, no_cache: bool, sources_dir: Path | None,
            no_sources: bool, quiet: bool, shacl_engine: str) -> None:
    """Check the data and the graph: SHACL, references, code check digits and quotes.

    Every quote must occur verbatim (whitespace aside) in its source text when the
    source texts are at hand. Nothing is written: `dxkg build` publishes. Exit
    status: 0 valid, 1 invalid, 2 error.
    """
    from kg.build import check

    sources = resolve_sources(sources_dir, no_sources)
    result = check(resolve_data(data_dir), sources, progress=progress(quiet), shacl_engine=shacl_engine,
                   build_dir=None if no_cache else resolve_build(build_dir))
    if result.problems:
        report_problems(result.problems)
        fail(f"invalid: {len(result.problems)} problem(s)", EXIT_INVALID)
    quotes = "quotes checked" if result.quotes_checked else "quotes NOT checked (no source texts)"
    click.echo(f"valid: {result.counts.evidence} pieces of evidence, {result.triples} triples, "
               f"SHACL conforms, {quotes}")
