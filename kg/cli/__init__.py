"""The `dxkg` command line: a thin layer over the library in `kg`.

Each command lives in its own module and imports the library inside the command, so that
`dxkg --help` does not pay for rdflib, pyshacl or pyoxigraph. Packages that build on `kg`
(such as `viz`) add commands through the `dxkg.commands` entry-point group, which keeps
`kg` from importing them.
"""

from __future__ import annotations

import click

from kg import __version__
from kg.cli import assess, build, cooccur, export, push, query, serve, show, similar, suggest, synth, validate


class _Commands(click.Group):
    """Built-in commands plus those registered under the `dxkg.commands` entry points, loaded on demand."""

    def _plugins(self) -> dict[str, object]:
        from importlib.metadata import entry_points  # ~30 ms: only when a name is not built in, or for --help

        return {ep.name: ep for ep in entry_points(group="dxkg.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in (plugins := self._plugins()):
            command = plugins[name].load()  # type: ignore[attr-defined]
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dxkg")
def cli() -> None:
    """dxkg: a knowledge graph of what made Japanese municipal DX (地域DX) succeed.

    Build the graph from the curated YAML in data/, validate it, query it with SPARQL,
    export it, and look up entities with the quotes behind them.

    Exit status: 0 ok, 1 invalid data or input, 2 error.
    """


for module in (build, validate, query, export, show, synth, push, cooccur, similar, assess, suggest, serve):
    cli.add_command(module.command)


def main() -> None:
    cli(prog_name="dxkg")
