"""A build killed (SIGKILL) at each phase its progress lines name leaves the previous build answering every
command, and the next build cleans what the killed one left and writes the bytes of a build from scratch."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.store import current
from tests.conftest import FIXTURE_DATA

FILES = ("dxkg.nt", "dxkg.ttl", "dxkg.jsonld")
# What a reader asks; each answer must be the same before the kill and after it.
COMMANDS = (("query", "cases-per-factor"), ("similar", "mori-h-smart-farm", "--top", "2", "--format", "json"),
            ("cooccur", "--format", "csv"), ("assess", "mori-s-plan", "--format", "md", "--lang", "en"),
            ("show", "ina-reuse"), ("export", "-f", "nt"))
# A small edit updates the store; removing two of three case files changes too much and it is loaded again;
# a first build (no build before it) loads its store in a second process while it validates.
PHASES = [("small", p) for p in ("reading", "checking ids", "building the graph", "serialising", "writing dxkg.nt",
                                 "writing dxkg.ttl", "writing dxkg.jsonld", "updating the store",
                                 "validating with SHACL", "writing the analysis files", "switching to")] + \
         [("large", p) for p in ("validating with SHACL", "loading the store", "writing the analysis files")] + \
         [("first", p) for p in ("loading the store", "validating with SHACL", "writing dxkg.nt",
                                 "writing the analysis files", "switching to")]


def _answers(build_dir: Path) -> list[tuple[int, str]]:
    out = []
    for args in COMMANDS:
        res = CliRunner().invoke(cli, [*args, "--build-dir", str(build_dir)])
        out.append((res.exit_code, res.stdout))
    return out


def _kill_at(phase: str, data: Path, build_dir: Path) -> list[str]:
    """Run `dxkg build` and SIGKILL it right after it prints the progress line of `phase`; its progress lines."""
    cmd = [sys.executable, "-m", "kg", "build", "--data", str(data), "--build-dir", str(build_dir), "--no-sources",
           "--shacl-engine", "sparql"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    seen = []
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line.rstrip("\n"))
        if line.startswith(f"… {phase}"):
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, seen  # the phase was reached and the build did not end by itself
    return seen


@pytest.mark.parametrize(("change", "phase"), PHASES, ids=[f"{c}-{p.split()[-1]}" for c, p in PHASES])
def test_a_build_killed_at_each_phase(tmp_path: Path, change: str, phase: str) -> None:
    data, out = tmp_path / "data", tmp_path / "build"
    shutil.copytree(FIXTURE_DATA, data)
    if change == "first":
        return _first_build_killed(data, out, phase, tmp_path)
    build(data, out, None, shacl_engine="sparql")
    before = current(out)
    assert before is not None
    answers = _answers(out)
    assert all(code == 0 for code, _ in answers), answers
    if change == "small":
        ina = data / "cases" / "ina.yaml"
        ina.write_text(ina.read_text(encoding="utf-8").replace("value: 66528", "value: 66529"), encoding="utf-8")
    else:
        (data / "cases" / "ina.yaml").unlink()
        (data / "cases" / "mori-hokkaido.yaml").unlink()

    seen = _kill_at(phase, data, out)
    after = current(out)
    if phase == "switching to" and after != before:  # killed after the switch: the new build is whole
        assert after is not None and (after.path / "manifest.json").is_file()
    else:
        assert after == before, seen
        assert _answers(out) == answers  # every command answers as before the kill
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".gen-")] + \
        [str(p) for p in (out / "cache").rglob(".*")]
    if phase.startswith(("writing", "updating", "loading")) or (change == "small" and phase.startswith("validating")):
        assert any(name.startswith(".gen-") for name in leftovers), seen  # killed half-way through a generation

    build(data, out, None, shacl_engine="sparql")  # the next build: cleans up and catches up
    assert not [p for p in out.iterdir() if p.name.startswith(".gen-")]
    assert not list((out / "cache").rglob(".*"))
    assert len(list(out.glob("gen-*"))) <= 2  # the current generation and the one before
    cold = tmp_path / "cold"
    build(data, cold, None, shacl_engine="sparql")
    for name in FILES:
        assert (out / name).read_bytes() == (cold / name).read_bytes(), (name, leftovers)
    assert _answers(out) == _answers(cold)  # the same answers (the large change removed what `similar` asks for)


def _first_build_killed(data: Path, out: Path, phase: str, tmp_path: Path) -> None:
    """A first build killed: no generation (commands say to build; none fails otherwise), or, killed after
    the switch, a whole one; what it left half-written goes with the next build, which writes the bytes of
    a build from scratch."""
    seen = _kill_at(phase, data, out)
    after = current(out)
    if after is None:
        for args in COMMANDS:
            res = CliRunner().invoke(cli, [*args, "--build-dir", str(out)])
            assert res.exit_code == 2 and "run `dxkg build` first" in res.stderr, (args, res.output, seen)
        assert phase == "switching to" or any(p.name.startswith(".gen-") for p in out.iterdir()), seen
    else:
        assert phase == "switching to" and (after.path / "manifest.json").is_file(), seen
    build(data, out, None, shacl_engine="sparql")
    assert not [p for p in out.iterdir() if p.name.startswith(".gen-")]
    cold = tmp_path / "cold"
    build(data, cold, None, shacl_engine="sparql")
    for name in FILES:
        assert (out / name).read_bytes() == (cold / name).read_bytes(), name
    assert _answers(out) == _answers(cold)
