"""dxkg cooccur"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.cli.common import build_option, emit, lang_option, open_graph, reliability_options, reported

# Column -> (Japanese header, English header) of the table; CSV and JSON keep the English keys.
COLUMNS = {
    "a": ("要素A", "a"), "b": ("要素B", "b"), "a_label": ("Aの名称", "a_label"), "b_label": ("Bの名称", "b_label"),
    "count": ("共起数", "count"), "count_a": ("Aの件数", "count_a"), "count_b": ("Bの件数", "count_b"),
    "n": ("母数", "n"), "jaccard": ("Jaccard", "jaccard"), "lift": ("リフト", "lift"), "npmi": ("NPMI", "npmi"),
    "odds_ratio": ("オッズ比", "odds_ratio"), "ci95": ("95%信頼区間", "ci95"), "p_value": ("p値", "p_value"),
    "q_value": ("q値(BH)", "q_value"), "same_group": ("同じバリュー群", "same_group"), "note": ("判定", "note"),
}
NETWORK_COLUMNS = {
    "driver": ("ドライバー", "driver"), "label": ("名称", "label"), "count": ("件数", "count"),
    "strength": ("共起の強さ", "strength"), "degree": ("次数中心性", "degree"),
    "betweenness": ("媒介中心性", "betweenness"), "eigenvector": ("固有ベクトル中心性", "eigenvector"),
    "community": ("コミュニティ", "community"),
}


def _ci(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    return f"{low:.3g}–{high:.3g}" if high is not None else f"{(low or 0):.3g}–∞"


def _rows(pairs: list[Any], fmt: str) -> list[dict[str, Any]]:
    out = []
    for p in pairs:
        row = p.as_dict()
        if fmt == "table":
            if row["odds_ratio"] is None and row["or_low"] is not None:
                row["odds_ratio"] = "∞"  # no case has one code without the other: the estimate is unbounded
            row["ci95"] = _ci(row.pop("or_low"), row.pop("or_high"))
        out.append(row)
    return out


@click.command("cooccur")
@click.option("--kind", type=click.Choice(["driver", "factor", "factor-driver"]), default="driver", show_default=True,
              help="Pairs of drivers, of factors, or factor × driver.")
@click.option("--level", type=click.Choice(["initiative", "practice"]), default="initiative", show_default=True,
              help="Count co-occurrence within one initiative (it carries the codes of all its practices) or "
                   "within one practice, where nearly every pair occurs once or twice.")
@click.option("--min-count", type=click.IntRange(min=0), default=1, show_default=True,
              help="Leave out pairs seen fewer times.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show only the K most frequent pairs.")
@click.option("--explicit-only", is_flag=True, help="Count only tags the source marks explicitly.")
@click.option("--domain", help="Only initiatives of this domain id (e.g. agriculture).")
@click.option("--prefecture", help="Only initiatives in this prefecture (id, 北海道, Hokkaido …).")
@click.option("--network", is_flag=True, help="Show driver centrality and communities instead of pairs.")
@reliability_options
@lang_option
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format (JSON adds what was counted and how).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@build_option
def command(kind: str, level: str, min_count: int, top: int | None, explicit_only: bool, domain: str | None,
            prefecture: str | None, network: bool, min_reliability: str, include_suggested: bool, lang: str,
            fmt: str, output: Path | None, build_dir: Path | None) -> None:
    """Co-occurring drivers and factors, with odds ratios, exact p and Benjamini–Hochberg q.

    Counted per initiative by default. Each pair has Jaccard, lift, NPMI, the odds ratio with its
    95% confidence interval, Fisher's exact two-sided p and the Benjamini–Hochberg q-value over
    every pair tested at once; the verdict is judged on q. Pairs of drivers that the source itself
    puts in one value group are marked: their co-occurrence may restate that grouping. Only
    sources at least as reliable as --min-reliability count (default primary: 003's unverified
    claims are left out; the output says which sources were counted).

    \b
    Examples:
      dxkg cooccur --top 10
      dxkg cooccur --kind factor-driver --format csv
      dxkg cooccur --explicit-only --prefecture 北海道 --lang en
      dxkg cooccur --network
    """
    from kg.analysis.render import rows_out

    if network and kind != "driver":
        raise click.UsageError("--network is the driver network: use it with --kind driver")
    with reported():
        graph = open_graph(build_dir)
        if network:
            from kg.analysis.cooccur import why_empty
            from kg.analysis.network import centrality_rows, driver_network

            net = driver_network(graph, level, explicit_only, max(1, min_count), domain, prefecture,
                                 min_reliability=min_reliability, include_suggested=include_suggested)
            units = int(net.graph["units"])
            click.echo(_network_meta(net, lang), err=True)
            # No unit in scope: every centrality would be a 0 or an artefact of an empty graph.
            rows = centrality_rows(net, lang) if units else []
            shown = rows[:top] if top else rows
            headers = {k: v[0 if lang == "ja" else 1] for k, v in NETWORK_COLUMNS.items()} if fmt == "table" else None
            if fmt == "json":
                import json

                counted = {k: net.graph[k] for k in ("level", "units", "untagged", "sources", "left_out")}
                text = json.dumps({**counted, "drivers": shown}, ensure_ascii=False, indent=1) + "\n"
            else:
                text = rows_out(shown, fmt, list(NETWORK_COLUMNS), headers)
            if not units:
                click.echo(("該当なし: " if lang == "ja" else "nothing to show: ") + why_empty(0, 0, 1, lang), err=True)
            elif top and len(rows) > top:
                click.echo(_cut(len(shown), len(rows), lang), err=True)
        else:
            from kg.analysis.cooccur import cooccurrence

            result = cooccurrence(graph, kind, level, min_count, top, explicit_only, domain, prefecture, lang,
                                  min_reliability, include_suggested)
            click.echo(_meta(result, lang), err=True)
            if fmt == "json":
                import json

                text = json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n"
            else:
                columns = [c for c in COLUMNS if fmt == "table" or c != "ci95"]
                if fmt != "table":
                    columns = [*columns[:columns.index("odds_ratio") + 1], "or_low", "or_high",
                               *columns[columns.index("odds_ratio") + 1:]]
                headers = {k: v[0 if lang == "ja" else 1] for k, v in COLUMNS.items()} if fmt == "table" else None
                text = rows_out(_rows(result.pairs, fmt), fmt, columns, headers)
            if result.why_empty:
                click.echo(("該当なし: " if lang == "ja" else "nothing to show: ") + result.why_empty, err=True)
            elif top and result.shown_of > len(result.pairs):
                click.echo(_cut(len(result.pairs), result.shown_of, lang), err=True)
    emit(text, output)


def _cut(shown: int, total: int, lang: str) -> str:
    return (f"上位{shown}件を表示（全{total}件、{total - shown}件は省略）" if lang == "ja"
            else f"showing the top {shown} of {total} ({total - shown} left out)")


def _network_meta(net: Any, lang: str) -> str:
    """What the network counted, on stderr: its units and the sources counted and left out."""
    g = net.graph
    return _counted(g["level"], "driver", int(g["units"]), int(g["untagged"]), lang) + \
        _sources(list(g["sources"]), list(g["left_out"]), lang)


def _counted(level: str, kind: str, n: int, untagged: int, lang: str) -> str:
    """The units counted: those carrying a tag of the schemes paired, and how many in scope carry none."""
    from kg.analysis.cooccur import UNIT_NAMES

    units = UNIT_NAMES[level]
    schemes = {"driver": ("ドライバー", "driver"), "factor": ("成功要因", "factor"),
               "factor-driver": ("成功要因とドライバー", "factor and driver")}[kind]
    if lang == "ja":
        return f"集計単位: {units[0]}（{schemes[0]}のタグがある{n}件" + \
            (f"、タグのない{untagged}件は数えない）" if untagged else "）")
    return f"counted per {level}: the {n} {units[1]} carrying a {schemes[1]} tag" + \
        (f" ({untagged} with none not counted)" if untagged else "")


def _sources(counted: list[str], left_out: list[str], lang: str) -> str:
    """The sources counted and those the reliability filter left out, as the stderr line says them."""
    if lang == "ja":
        text = f"; 計上した出典: {', '.join(counted) or 'なし'}"
        return text + (f"; 除外: {', '.join(left_out)}（--min-reliability secondary で含める）" if left_out else "")
    text = f"; sources counted: {', '.join(counted) or 'none'}"
    return text + (f"; left out: {', '.join(left_out)} (include with --min-reliability secondary)" if left_out else "")


def _meta(result: Any, lang: str) -> str:
    """What was counted, on stderr: level, units, sources counted and left out, the correction."""
    text = _counted(result.level, result.kind, result.n, result.untagged, lang) + \
        _sources(result.sources, result.left_out, lang)
    if lang == "ja":
        return text + f"; q値はBenjamini–Hochberg法（{result.tested}組を同時に検定）"
    return text + f"; q = Benjamini-Hochberg over the {result.tested} pairs tested"
