"""dxkg show"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import build_option, open_graph, reported


@click.command("show")
@click.argument("name", nargs=-1, required=True)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="Language shown first in labels.")
@build_option
def command(name: tuple[str, ...], lang: str, build_dir: Path | None) -> None:
    """Show one entity with its links and the quotes behind them.

    NAME is an id path (municipality/013439, factor/E, practice/mori-needs-hearing), an IRI,
    an id (higumap), a code (E, 7) or a name in Japanese or English ("森町", "Mori").
    An ambiguous name lists the candidates and exits with status 1.
    """
    from kg.show import describe, render

    with reported():
        graph = open_graph(build_dir)
        iri = graph.resolve(" ".join(name)).iri
        click.echo(render(describe(graph.store, iri, lang)))
