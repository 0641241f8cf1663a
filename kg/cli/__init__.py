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
    """Run the command line; what no command expected still ends with a message and exit status 2, never as
    exit status 1, which says the data or the input is invalid."""
    import sys

    try:
        cli(prog_name="dxkg", standalone_mode=False)
    except SystemExit as done:  # a command's own exit status (kg.cli.common.fail)
        status = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    except click.exceptions.Exit as done:  # --help, --version
        status = done.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        status = 1
    except click.ClickException as exc:  # usage errors: click's own message and status (2)
        exc.show()
        status = exc.exit_code
    except OSError as exc:  # a full disk, a folder where a file should be, an output that refuses writes
        click.echo(f"dxkg: error: {exc}", err=True)
        status = 2
    except Exception:  # a bug: its traceback, to report
        import traceback

        traceback.print_exc()
        click.echo("dxkg: internal error (a bug in dxkg: please report it with the lines above)", err=True)
        status = 2
    else:
        status = 0
    try:
        sys.stdout.flush()  # an output that refuses writes (a full disk) is an error, not a silent loss
    except BrokenPipeError:  # the reader stopped (`| head`): nothing lost that anyone wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        click.echo(f"dxkg: error: cannot write the output: {exc}", err=True)
        status = 2
    sys.exit(status)
