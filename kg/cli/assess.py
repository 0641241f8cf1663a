"""dxkg assess"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.common import (
    build_option,
    data_option,
    emit,
    fail,
    lang_option,
    open_graph,
    progress,
    reliability_options,
    reported,
)

if TYPE_CHECKING:
    from kg.adapter import Adapter
    from kg.analysis.assessment import Assessment
    from kg.analysis.records import MunicipalityRow


@click.command("assess")
@click.argument("plan", required=False)
@click.option("--text", "text_file", type=click.Path(path_type=Path),
              help="Assess a plan that is not in the graph, from its document (text, Markdown or PDF).")
@click.option("--municipality", help="With --text: the plan's municipality (id or name) [default: the one the "
                                     "text names most].")
@click.option("--cases", type=click.IntRange(min=0), default=3, show_default=True,
              help="Cases per gap and similar initiatives per measure.")
@reliability_options
@lang_option
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True,
              help="Terminal text, Markdown (with tables) or JSON (everything).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output (--text).")
@build_option
@data_option
def command(plan: str | None, text_file: Path | None, municipality: str | None, cases: int, min_reliability: str,
            include_suggested: bool, lang: str, fmt: str, output: Path | None, quiet: bool, build_dir: Path | None,
            data_dir: Path | None) -> None:
    """Assess a DX plan as its planner would read it: PLAN (id or words of its name or town;
    default: the graph's only plan), or --text PLAN_FILE, a plan that is not in the graph.

    For each of the 7 principles and 12 drivers: the measures serving it (plan names, section,
    each link's basis and quote) and its strength (explicit 2, inferred 1, suggested 0.5 points per
    measure; 3 or more strong, fewer weak, which is a risk, none missing). For each principle its
    pitfalls with the plan text that addresses each, or none (exposed), and which of its
    countermeasures the plan already has; for each gap, cases elsewhere. For every measure, the
    most similar initiatives elsewhere with their outcomes and quote; the municipalities most like
    the plan's in population and ageing and what they did that the plan lacks; and the next
    actions, each a countermeasure of 002 with a case that did it. The report states its rules.

    With --text the measures are the passages of the document that describe something done or
    planned, mapped to principles and drivers by the engine of `dxkg suggest` (basis suggested,
    with score and the sentence that shows it); the engine learns from the curated data (--data).

    \b
    Examples:
      dxkg assess
      dxkg assess 幌加内 --lang en --format md -o horokanai.md
      dxkg assess --text other-town-plan.pdf --municipality 幌加内町
      dxkg assess --format json --min-reliability secondary

    Exit status: 0 ok; 1 invalid input (a name that names nothing, a file that is empty, binary,
    image-only, too large or has no usable passage); 2 usage or environment error (a bad option
    value, no build, an unreadable file).
    """
    from kg.analysis.render import assessment_json, assessment_text

    if plan is not None and text_file is not None:
        raise click.UsageError("give PLAN or --text FILE, not both")
    if municipality is not None and text_file is None:
        raise click.UsageError("--municipality goes with --text (a plan of the graph names its municipality)")
    with reported():
        graph = open_graph(build_dir)
        if text_file is None:
            from kg.analysis.assessment import assess

            report = assess(graph, plan, cases, min_reliability=min_reliability, include_suggested=include_suggested)
        else:
            report = _assess_text(graph, text_file, municipality, cases, min_reliability, include_suggested,
                                  data_dir, progress(quiet))
    text = assessment_json(report) if fmt == "json" else assessment_text(report, lang, markdown=fmt == "md")
    emit(text, output)


def _assess_text(graph: Adapter, path: Path, municipality: str | None, cases: int, min_reliability: str,
                 include_suggested: bool, data_dir: Path | None, say: Callable[[str], None]) -> Assessment:
    from kg.analysis.assessment import assess_input
    from kg.analysis.plantext import find_town, plan_from_text
    from kg.analysis.similarity import check_reliability
    from kg.cli.common import read_input, report_problems, resolve_data
    from kg.load import parse_data
    from kg.text.records import training_set
    from kg.text.suggest import Suggester

    check_reliability(min_reliability)
    if cases < 0:
        fail(f"--cases must be 0 or more, not {cases}")
    doc = read_input(path, say)
    ex = graph.extract
    named: dict[str, int] = {}
    town: MunicipalityRow | None
    if municipality is not None:
        town = ex.municipalities[graph.resolve(municipality, {"Municipality"}, "municipality").iri]
        basis = "given"
    else:
        town, named = find_town(ex, doc.text)
        basis = "named" if town is not None else "ambiguous" if named else "unknown"
    data = resolve_data(data_dir)
    ds, problems = parse_data(data)
    if problems:
        report_problems(problems)
        fail(f"{data}: the curated data has {len(problems)} problem(s); run dxkg validate")
    ts = training_set(ds)
    say(f"training on {len(ts.examples)} curated practices and measures")
    suggester = Suggester.fit(ts, progress=say)
    plan = plan_from_text(graph, doc, suggester, town, basis, named)
    say(f"{len(plan.measures)} measures found in {path.name}")
    return assess_input(graph, plan, cases, min_reliability=min_reliability, include_suggested=include_suggested)
