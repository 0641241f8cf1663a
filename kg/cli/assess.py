"""dxkg assess"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import build_option, emit, open_graph, reported


@click.command("assess")
@click.argument("plan", required=False)
@click.option("--cases", type=int, default=3, show_default=True, help="Cases to list for each gap.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Report language.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True,
              help="Terminal text, Markdown or JSON.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@build_option
def command(plan: str | None, cases: int, lang: str, fmt: str, output: Path | None, build_dir: Path | None) -> None:
    """Assess a DX plan: which of the 7 principles and 12 drivers its measures serve, and the gaps.

    PLAN is a plan id or words of its name or town [default: the graph's only plan]. For each
    missing principle the report lists its pitfalls; for each gap, the practices elsewhere that
    show how it was filled, most alike in context (population band, 65+ share) first.

    \b
    Examples:
      dxkg assess
      dxkg assess 幌加内 --lang en --format md -o horokanai.md
      dxkg assess horokanai-digital-plan --format json
    """
    from kg.analysis.assessment import assess
    from kg.analysis.render import assessment_json, assessment_text

    with reported():
        report = assess(open_graph(build_dir), plan, cases)
    text = assessment_json(report) if fmt == "json" else assessment_text(report, lang, markdown=fmt == "md")
    emit(text, output)
