"""The `dxkg` command line: a thin layer over the library in `kg`.

Each command lives in its own module and imports the library inside the command, so that
`dxkg --help` does not pay for rdflib, pyshacl or pyoxigraph.
"""

from __future__ import annotations

import click

from kg import __version__
from kg.cli import build, export, query, show, validate

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dxkg")
def cli() -> None:
    """dxkg: a knowledge graph of what made Japanese municipal DX (地域DX) succeed.

    Build the graph from the curated YAML in data/, validate it, query it with SPARQL,
    export it, and look up entities with the quotes behind them.

    Exit status: 0 ok, 1 invalid data or input, 2 error.
    """


for module in (build, validate, query, export, show):
    cli.add_command(module.command)


def main() -> None:
    cli(prog_name="dxkg")
