"""dxkg suggest"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import EXIT_ERROR, EXIT_INVALID, data_option, fail, progress, report_problems, resolve_data


@click.command("suggest")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--as", "as_", type=click.Choice(["case", "plan"]), default="case", show_default=True,
              help="Read FILE as a case report (factors and drivers of practices) or a plan (principles and "
                   "drivers of measures).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "yaml"]), default="table", show_default=True,
              help="table: each passage with its ranked suggestions; yaml: a draft in data/'s schema.")
@click.option("--municipality", help="Municipality id in the data for the draft [default: the one FILE names].")
@click.option("--source-id", help="Id of FILE in sources: [default: the file name without its suffix].")
@click.option("--all", "show_all", is_flag=True,
              help="Every passage that describes something done or planned, not only those with a suggestion "
                   "at or above the threshold.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Show suggestions scoring at least this [default: each scheme's, from the evaluation].")
@click.option("-k", "--top", type=click.IntRange(1, 12), default=3, show_default=True,
              help="Codes listed per scheme and passage.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Label language.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE (atomically) instead of stdout.")
@click.option("--encoder", "use_encoder", is_flag=True,
              help="Add the optional sentence encoder's signals (pip install 'dxkg[encoder]'; slower).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@data_option
def command(file: Path, as_: str, fmt: str, municipality: str | None, source_id: str | None, show_all: bool,
            threshold: float | None, top: int, lang: str, use_encoder: bool, output: Path | None, quiet: bool,
            data_dir: Path | None) -> None:
    """Suggest success factors, drivers and principles for the passages of FILE (text, Markdown or PDF).

    Each passage that describes something done or planned gets its best codes with a score (0–1),
    the sentence of FILE that shows each (verbatim), and the nearest curated practices. Suggestions
    at or above the threshold are marked ✓ (the threshold is where, in the leave-one-case-out
    evaluation, curated tags made up 80 % of what was shown). The text's encoding is detected
    (UTF-8, Shift_JIS/CP932, EUC-JP …).

    \b
    Examples:
      dxkg suggest report.txt
      dxkg suggest plan.pdf --as plan --format yaml --municipality horokanai -o data/cases/draft.yaml
    """
    from kg.cli.common import emit, read_input
    from kg.load import parse_data
    from kg.text.draft import PLACEHOLDER_MUNICIPALITY, DraftError, DraftOptions, draft_yaml, find_municipality
    from kg.text.records import training_set
    from kg.text.render import render_table
    from kg.text.suggest import Suggester, load_encoder

    say = progress(quiet)
    doc = read_input(file, say)
    data = resolve_data(data_dir)
    ds, problems = parse_data(data)
    if problems:
        report_problems(problems)
        fail(f"{data}: the curated data has {len(problems)} problem(s); run dxkg validate", EXIT_INVALID)
    muni = None
    if fmt == "yaml":
        known = {x.id for x in ds.municipalities}
        if municipality is not None and municipality not in known:
            fail(f"--municipality {municipality!r} is not a municipality id of {data}")
        muni = municipality
        if muni is None:
            muni, named = find_municipality(doc.text, ds)
            if muni is not None:
                say(f"municipality: {muni} (the only one of the data {file.name} names)")
            else:
                why = f"it names {', '.join(named)}" if named else "it names none of the data's municipalities"
                click.echo(f"note: {why}; the draft says {PLACEHOLDER_MUNICIPALITY} (give --municipality ID)", err=True)
                muni = PLACEHOLDER_MUNICIPALITY
    ts = training_set(ds)
    if not ts.examples:
        fail(f"{data}: no tagged practices or measures to learn from")
    say(f"training on {len(ts.examples)} curated practices and measures")
    encoder = None
    if use_encoder:
        encoder = load_encoder()
        if encoder is None:
            fail("--encoder needs the optional extra: pip install 'dxkg[encoder]'", EXIT_ERROR)
        say("loading the sentence encoder")
    sg = Suggester.fit(ts, encoder=encoder, progress=say)
    if threshold is not None:
        sg.fit_info.thresholds.update(dict.fromkeys(sg.thresholds, threshold))
    passages = sg.find_measures(doc.text)
    if not passages:
        fail(f"{file}: no sentence the engine can use (no passage describes something done or planned)")
    say(f"suggesting for {len(passages)} passages")
    schemes = ("principle", "driver") if as_ == "plan" else ("factor", "driver")
    kind = "measure" if as_ == "plan" else "practice"
    results = [sg.suggest_passage(p, schemes, top, 3, kind) for p in passages]
    chosen = results if show_all else [r for r in results if r.shown()]
    say(f"{len(chosen)} of {len(results)} passages have a suggestion at or above the threshold"
        + ("" if show_all else " (--all lists every one)"))
    if not chosen:
        fail(f"{file}: no suggestion reaches the threshold in {len(results)} passages; try --all or --threshold")
    if fmt == "yaml":
        try:
            text = draft_yaml(doc, chosen, ds, DraftOptions(as_ == "plan", muni or PLACEHOLDER_MUNICIPALITY,
                                                             source_id or doc.source_id))
        except DraftError as exc:
            fail(str(exc), EXIT_INVALID)
            return
    else:
        text = render_table(doc, chosen, sg.thresholds, lang)
    emit(text, output)
