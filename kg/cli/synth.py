"""dxkg synth"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import EXIT_ERROR, fail, progress


@click.command("synth")
@click.option("-n", "--municipalities", type=click.IntRange(min=1), default=15, show_default=True,
              help="How many synthetic municipalities (15, 174 and 1741 are the benchmark scales).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed writes the same bytes.")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder to write the data set to (data/'s layout).")
@click.option("--force", is_flag=True, help="Replace the data in a folder that is not empty.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def command(municipalities: int, seed: int, out_dir: Path, force: bool, quiet: bool) -> None:
    """Write a SYNTHETIC data set in data/'s format, to run every command at national scale.

    Municipalities, initiatives, practices, tags, stakeholders and outcomes are invented (the
    framework, vocabularies and prefectures are copied from the real data); every quote says
    it is synthetic, so build it without quote checks:

    \b
      dxkg synth -n 174 --seed 1 -o synth174
      dxkg build --data synth174 --build-dir synth174-build --no-sources
    """
    from kg.synth import write_synthetic

    try:
        result = write_synthetic(out_dir, municipalities, seed, overwrite=force, progress=progress(quiet))
    except FileExistsError as exc:
        fail(f"{exc}: use --force to replace its data", EXIT_ERROR)
        return
    except (OSError, ValueError) as exc:
        fail(f"synth failed: {exc}", EXIT_ERROR)
        return
    click.echo(f"wrote {result.files} files to {out_dir}: {result.municipalities} municipalities, "
               f"{result.initiatives} initiatives, {result.practices} practices, {result.stakeholders} stakeholders "
               f"(synthetic)")
