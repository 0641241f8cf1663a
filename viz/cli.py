"""`dxkg view` and `dxkg site`, registered through the `dxkg.commands` entry points."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import EXIT_ERROR, EXIT_INVALID, build_option, fail, open_graph, progress, reported
from viz import VIEW_KINDS

_lang = click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
                     help="Language the page opens in (it switches between Japanese and English itself).")
_max = click.option("--max-nodes", type=click.IntRange(10, 5000), default=300, show_default=True,
                    help="Cap on nodes drawn at once; past it \"show all\" folds practices, measures … into their "
                         "parents.")


@click.command("view")
@click.argument("kind", type=click.Choice(VIEW_KINDS))
@click.argument("name", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="HTML file to write.")
@_lang
@click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True,
              help="Links to follow from the entity (municipality, initiative, factor, driver).")
@click.option("--width", "width_by", type=click.Choice(["count", "lift"]), default="count", show_default=True,
              help="Edge width in the co-occurrence view.")
@_max
@click.option("--site", "site_base", metavar="URL",
              help="Where a `dxkg site` folder is, relative to the page (e.g. site/): each node's panel links "
                   "to its page there.")
@build_option
def view(kind: str, name: tuple[str, ...], output: Path, lang: str, depth: int, width_by: str, max_nodes: int,
         site_base: str | None, build_dir: Path | None) -> None:
    """Write one explorable HTML view that works offline.

    \b
    Examples:
      dxkg view overview -o overview.html --lang en
      dxkg view municipality 013439 --depth 2 -o mori.html
      dxkg view initiative higumap -o higumap.html
      dxkg view factor E -o factor-e.html
      dxkg view driver 3 -o driver-3.html
      dxkg view framework -o framework.html
      dxkg view cooccurrence --width lift -o drivers.html
      dxkg view assessment horokanai-digital-plan -o plan.html

    NAME (for municipality, initiative, factor, driver) is an id, code, or Japanese or English
    name; for assessment it is a plan's id or words of its name (optional with one plan).
    The page opens on a bounded view (the overview: the framework with the municipalities
    around it) and grows by double-click, search or "show all". It inlines everything it
    needs and makes no network request.
    """
    from viz.site import ViewRequest, make_view, write_view
    from viz.snapshot import load
    from viz.views import ViewError

    with reported():
        graph = open_graph(build_dir)
    try:
        base = site_base if not site_base or site_base.endswith("/") else site_base + "/"
        with reported():
            page = make_view(graph, load(graph.store), ViewRequest(kind, " ".join(name) or None, lang, depth,
                                                                   max_nodes, width_by, base))
        write_view(page, output)
    except ViewError as exc:
        fail(str(exc), EXIT_INVALID)
        return
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_ERROR)
        return
    click.echo(f"wrote {output}: {page.shown} nodes on open, {len(page.nodes)} nodes and {len(page.edges)} edges "
               "in the page")
    for note in page.notes:
        click.echo(f"note: {page.text(note)}", err=True)


@click.command("site")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the site into.")
@_lang
@_max
@build_option
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def site(out_dir: Path, lang: str, max_nodes: int, build_dir: Path | None, quiet: bool) -> None:
    """Write the graph views, a page for every municipality, initiative, practice, factor, driver,
    principle and plan, a site search, the saved queries with their results and the ontology in
    Japanese and English, with an index page linking them, into one folder that works offline.

    \b
    Example:
      dxkg site -o site && xdg-open site/index.html
    """
    from viz.site import write_site
    from viz.views import ViewError

    with reported():
        graph = open_graph(build_dir)
    try:
        with reported():
            written = write_site(graph, out_dir, lang, max_nodes, progress(quiet))
    except ViewError as exc:
        fail(str(exc), EXIT_INVALID)
        return
    except OSError as exc:
        fail(f"cannot write into {out_dir}: {exc.strerror or exc}", EXIT_ERROR)
        return
    click.echo(f"wrote {len(written)} pages into {out_dir}; open {out_dir / 'index.html'}")
