"""dxkg build"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import (
    EXIT_INVALID,
    build_option,
    check_options,
    data_option,
    fail,
    progress,
    report_problems,
    resolve_build,
    resolve_data,
    resolve_sources,
)


@click.command("build")
@data_option
@build_option
@check_options
def command(data_dir: Path | None, build_dir: Path | None, sources_dir: Path | None, no_sources: bool,
            quiet: bool, shacl_engine: str) -> None:
    """Build the graph from data/ and write Turtle, N-Triples and JSON-LD to the build folder.

    The data is checked first (ids, references, code check digits, quotes when the source
    texts are at hand, SHACL); on any problem nothing is written and the exit status is 1.
    """
    from kg.build import build
    from kg.load import DataInvalid

    sources = resolve_sources(sources_dir, no_sources)
    try:
        result = build(resolve_data(data_dir), resolve_build(build_dir), sources, progress=progress(quiet),
                       shacl_engine=shacl_engine)
    except DataInvalid as exc:
        report_problems(exc.problems)
        fail(f"build failed: {len(exc.problems)} problem(s) in the data; nothing written", EXIT_INVALID)
        return
    n = result.counts
    click.echo(f"built {result.triples} triples: {n.municipalities} municipalities, "
               f"{n.initiatives} initiatives, {n.practices} practices, {n.plans} plan(s)")
    for path in result.files.values():
        click.echo(f"  {path}")
    if not result.quotes_checked:
        click.echo("note: source texts not found, quotes were not checked (use --sources DIR)", err=True)
