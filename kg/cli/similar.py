"""dxkg similar"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import build_option, emit, fail, open_graph, reported


def _weights(values: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for v in values:
        key, sep, num = v.partition("=")
        try:
            out[key.strip()] = float(num)
        except ValueError:
            fail(f"--weight wants PART=NUMBER (e.g. domains=3), not {v!r}")
        if not sep:
            fail(f"--weight wants PART=NUMBER (e.g. domains=3), not {v!r}")
    return out


@click.command("similar")
@click.argument("query")
@click.option("-k", "--top", type=int, default=5, show_default=True, help="How many initiatives to list.")
@click.option("-w", "--weight", "weights", multiple=True, metavar="PART=N",
              help="Set a weight (parts: factors drivers domains technologies stakeholders population ageing). "
                   "Repeatable.")
@click.option("--explain", is_flag=True, help="Show what each result shares with the query and each part's share.")
@click.option("--lang", type=click.Choice(["en", "ja"]), default="ja", show_default=True, help="Name language.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@build_option
def command(query: str, top: int, weights: tuple[str, ...], explain: bool, lang: str, fmt: str,
            output: Path | None, build_dir: Path | None) -> None:
    """Initiatives most like QUERY: an initiative id, or words of its name or place (ja or en).

    The score (0–1) is the weighted mean of shared factors, drivers, domains, technologies and
    stakeholder types (Jaccard each) and of municipal context (population band, 65+ share).
    Defaults: domains 3, technologies 2, drivers 1.5, factors 1, stakeholders, population and
    ageing 0.5 each.

    \b
    Examples:
      dxkg similar "山梨 農業"
      dxkg similar maebashi-mytaku --top 3 --explain
      dxkg similar higumap -w domains=0 -w drivers=3 --format json
    """
    from kg.analysis.render import rows_out
    from kg.analysis.similarity import PARTS, SET_PARTS, similar

    parsed = _weights(weights)
    with reported():
        result = similar(open_graph(build_dir), query, top, parsed)
    q = result.query
    click.echo(f"query: {q.id} — {q.name_ja if lang == 'ja' else q.name_en}", err=True)
    rows = []
    for rank, m in enumerate(result.matches, 1):
        row = {"rank": rank, "id": m.id, "name": m.name_ja if lang == "ja" else m.name_en,
               "municipalities": m.municipalities, "score": round(m.score, 4)}
        if explain or fmt == "json":
            row.update({p: round(m.contributions[p], 4) for p in PARTS})
            row["shared"] = "; ".join(f"{p}: {', '.join(v)}" for p in SET_PARTS if (v := m.shared[p]))
            if fmt == "json":
                row["shared"] = m.shared
        rows.append(row)
    emit(rows_out(rows, fmt), output)
