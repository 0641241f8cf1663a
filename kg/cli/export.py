"""dxkg export"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import build_option, open_graph, reported


@click.command("export")
@click.option("-f", "--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl",
              show_default=True, help="Serialisation: Turtle, N-Triples or JSON-LD.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@build_option
def command(fmt: str, output: Path | None, build_dir: Path | None) -> None:
    """Export the built graph (ontology and data) as Turtle, N-Triples or JSON-LD."""
    from kg.files import write_atomic

    with reported():
        generation = open_graph(build_dir).generation
    assert generation is not None
    data = generation.file(fmt).read_bytes()
    if output:
        write_atomic(output, data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
