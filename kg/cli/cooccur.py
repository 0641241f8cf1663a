"""dxkg cooccur"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import build_option, emit, fail, open_graph, reported

COLUMNS = ["a", "b", "a_label", "b_label", "count", "count_a", "count_b", "n", "jaccard", "lift", "npmi",
           "p_value", "note"]


@click.command("cooccur")
@click.option("--kind", type=click.Choice(["driver", "factor", "factor-driver"]), default="driver", show_default=True,
              help="Pairs of drivers, of factors, or factor × driver.")
@click.option("--level", type=click.Choice(["practice", "initiative"]), default="practice", show_default=True,
              help="Count co-occurrence within one practice or within one initiative.")
@click.option("--min-count", type=int, default=1, show_default=True, help="Leave out pairs seen fewer times.")
@click.option("--top", type=int, default=None, help="Show only the K most frequent pairs.")
@click.option("--explicit-only", is_flag=True, help="Count only tags the source marks explicitly.")
@click.option("--domain", help="Only initiatives of this domain id (e.g. agriculture).")
@click.option("--prefecture", help="Only initiatives in this prefecture (id, 北海道, Hokkaido …).")
@click.option("--network", is_flag=True, help="Show driver centrality and communities instead of pairs.")
@click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True, help="Label language.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@build_option
def command(kind: str, level: str, min_count: int, top: int | None, explicit_only: bool, domain: str | None,
            prefecture: str | None, network: bool, lang: str, fmt: str, output: Path | None,
            build_dir: Path | None) -> None:
    """Co-occurring drivers and factors, with Jaccard, lift, NPMI and Fisher's exact p.

    The note column says "too few cases to say" where a pair or a side occurs fewer than three
    times, and "consistent with chance" where Fisher's two-sided p is 0.05 or more.

    \b
    Examples:
      dxkg cooccur --top 10
      dxkg cooccur --kind factor-driver --level initiative --format csv
      dxkg cooccur --explicit-only --prefecture 北海道
      dxkg cooccur --network --lang ja
    """
    from kg.analysis.render import rows_out

    if network and kind != "driver":
        fail("--network is the driver network: use it with --kind driver")
    with reported():
        graph = open_graph(build_dir)
        if network:
            from kg.analysis.network import centrality_rows, driver_network

            rows = centrality_rows(driver_network(graph, level, explicit_only, max(1, min_count), domain, prefecture),
                                   lang)
            text = rows_out(rows[:top] if top else rows, fmt)
        else:
            from kg.analysis.cooccur import cooccurrence

            pairs = cooccurrence(graph, kind, level, min_count, top, explicit_only, domain, prefecture, lang)
            text = rows_out([p.as_dict() for p in pairs], fmt, COLUMNS)
    emit(text, output)
