"""Options and helpers shared by the commands."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from kg.errors import EXIT_ERROR, EXIT_INVALID, EXIT_OK, DxkgError
from kg.paths import default_build_dir, default_data_dir, default_sources_dir

if TYPE_CHECKING:
    from kg.adapter import Adapter
    from kg.text.document import Document

__all__ = ["EXIT_ERROR", "EXIT_INVALID", "EXIT_OK"]


def data_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
                        help="Folder of curated YAML [default: ./data, else the data the package carries].")(f)


def build_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--build-dir", type=click.Path(path_type=Path), default=None,
                        help="Folder of the built graph [default: $DXKG_BUILD or ./build when it holds a build, "
                             "else the packaged data's graph, built once into the user's cache].")(f)


def lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--lang: every command answers in Japanese unless asked for English."""
    return click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
                        help="Language of labels and headers.")(f)


def reliability_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--min-reliability and --include-suggested: which sources and which tags an analysis counts."""
    f = click.option("--include-suggested", is_flag=True,
                     help="Count tags `dxkg suggest` proposed and no curator has accepted yet.")(f)
    return click.option("--min-reliability", type=click.Choice(["primary", "secondary"]), default="primary",
                        show_default=True,
                        help="Count only sources this reliable: primary leaves out secondary, unverified sources "
                             "(003); secondary counts both.")(f)


def sources_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--sources", "sources_dir", type=click.Path(path_type=Path), default=None,
                        help="Folder of source texts (<id>.txt) to check quotes against "
                             "[default: $DXKG_SOURCES or ../shared/seeds when present].")(f)


def check_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options build and validate share: sources, --no-sources, --quiet, --shacl-engine."""
    f = click.option("--shacl-engine", type=click.Choice(["auto", "pyshacl", "sparql"]), default="auto",
                     show_default=True,
                     help="SHACL validator: pyshacl, or the shapes compiled to SPARQL on Oxigraph (fast on large "
                          "graphs); auto picks pyshacl up to 50,000 triples.")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="No progress output.")(f)
    f = click.option("--no-sources", is_flag=True,
                     help="Skip the quote check even when source texts are at hand.")(f)
    return sources_option(f)


def resolve_data(data_dir: Path | None) -> Path:
    """The data folder given, else the default; a folder given that is not there is an environment error
    (exit status 2), as a missing sources folder is, not invalid data."""
    if data_dir is not None and not data_dir.is_dir():
        fail(f"data folder not found: {data_dir}", EXIT_ERROR)
    return data_dir or default_data_dir()


def resolve_build(build_dir: Path | None) -> Path:
    return build_dir or default_build_dir()


def resolve_sources(sources_dir: Path | None, no_sources: bool = False) -> Path | None:
    if no_sources:
        return None
    if sources_dir is not None:
        if not sources_dir.is_dir():
            fail(f"sources folder not found: {sources_dir}", EXIT_ERROR)
        return sources_dir
    return default_sources_dir()


def progress(quiet: bool) -> Callable[[str], None]:
    """Progress lines on stderr, so stdout stays clean for data."""
    if quiet:
        return lambda _msg: None
    return lambda msg: click.echo(f"… {msg}", err=True)


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    click.echo(f"dxkg: {message}", err=True)
    sys.exit(code)


def read_input(path: Path, say: Callable[[str], None]) -> Document:
    """A document a command was given (text, Markdown, PDF): a missing file exits 2, one it cannot
    read as text (empty, binary, image-only, too large) exits 1, naming the file."""
    from kg.text.document import DocumentError, read_document

    if not path.is_file():
        fail(f"{path}: no such file", EXIT_ERROR)
    try:
        doc = read_document(path)
    except DocumentError as exc:
        fail(str(exc))
    say(f"read {path} ({doc.kind}, {doc.encoding}, {len(doc.text):,} characters)")
    return doc


@contextlib.contextmanager
def reported() -> Iterator[None]:
    """Turn the library's errors into `dxkg: message` and the error's exit status (kg.errors)."""
    try:
        yield
    except DxkgError as exc:
        fail(str(exc), exc.exit_status)


def open_graph(build_dir: Path | None) -> Adapter:
    """The built graph a command reads (kg.adapter.get_adapter), saying on stderr when it builds one first."""
    from kg.adapter import get_adapter

    return get_adapter(build_dir, progress=lambda msg: click.echo(f"… {msg}", err=True))


def emit(text: str, output: Path | None) -> None:
    """Print to stdout, or write atomically to `output`; the text always ends with a newline."""
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    from kg.files import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_ERROR)
    click.echo(f"wrote {output}", err=True)


def report_problems(problems: list[Any], limit: int = 200) -> None:
    for p in problems[:limit]:
        click.echo(str(p), err=True)
    if len(problems) > limit:
        click.echo(f"… and {len(problems) - limit} more", err=True)
