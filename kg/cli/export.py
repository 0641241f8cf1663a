"""dxkg export"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import EXIT_INVALID, build_option, fail, resolve_build


@click.command("export")
@click.option("-f", "--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl",
              show_default=True, help="Serialisation: Turtle, N-Triples or JSON-LD.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@build_option
def command(fmt: str, output: Path | None, build_dir: Path | None) -> None:
    """Export the built graph (ontology and data) as Turtle, N-Triples or JSON-LD."""
    from kg.files import write_atomic
    from kg.paths import GRAPH_FILES

    path = resolve_build(build_dir) / GRAPH_FILES[fmt]
    if not path.is_file():
        fail(f"no built graph at {path}: run `dxkg build` first", EXIT_INVALID)
    data = path.read_bytes()
    if output:
        write_atomic(output, data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
