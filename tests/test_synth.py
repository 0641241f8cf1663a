"""`dxkg synth`: deterministic synthetic data in data/'s layout that builds and validates."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from kg.cli import cli
from kg.codes import code_error
from kg.synth import SOURCE_ID, write_synthetic

SYNTH_N = 4


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "a", SYNTH_N, seed=7)
    write_synthetic(tmp_path / "b", SYNTH_N, seed=7)
    write_synthetic(tmp_path / "c", SYNTH_N, seed=8)
    a = _files(tmp_path / "a")
    assert a == _files(tmp_path / "b")
    assert a != _files(tmp_path / "c")
    assert len([name for name in a if name.startswith("cases/")]) == SYNTH_N
    assert {"sources.yaml", "framework.yaml", "vocab.yaml", "prefectures.yaml"} <= set(a)


def test_codes_valid_unique_and_quotes_marked_synthetic(tmp_path: Path) -> None:
    result = write_synthetic(tmp_path, 60, seed=1)
    codes, quotes = [], []
    for path in sorted((tmp_path / "cases").glob("*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # libyaml: 8× the pure reader
        codes += [mu["code"] for mu in doc["municipalities"]]
        for init in doc["initiatives"]:
            quotes.append(init["quote"])
            quotes += [p["quote"] for p in init["practices"]]
    assert len(codes) == len(set(codes)) == result.municipalities == 60
    assert [c for c in codes if code_error(c)] == []
    assert quotes and all("合成データ" in q for q in quotes)
    sources = yaml.load((tmp_path / "sources.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["sources"]
    synthetic = [s for s in sources if s["id"] == SOURCE_ID]
    assert len(synthetic) == 1 and "SYNTHETIC" in synthetic[0]["note"]["en"]


def test_cli_synth_then_build_and_validate_with_both_engines(tmp_path: Path) -> None:
    runner = CliRunner()
    data, out = tmp_path / "data", tmp_path / "build"
    res = runner.invoke(cli, ["synth", "-n", str(SYNTH_N), "--seed", "3", "-o", str(data), "-q"])
    assert res.exit_code == 0, res.output
    assert f"{SYNTH_N} municipalities" in res.output
    res = runner.invoke(cli, ["build", "--data", str(data), "--build-dir", str(out), "--no-sources", "-q",
                              "--shacl-engine", "sparql"])
    assert res.exit_code == 0, res.output
    assert f"{SYNTH_N} municipalities" in res.output
    assert (out / "dxkg.nt").stat().st_size > 0
    res = runner.invoke(cli, ["validate", "--data", str(data), "--no-sources", "-q", "--shacl-engine", "pyshacl"])
    assert res.exit_code == 0, res.output
    assert "SHACL conforms" in res.output


def test_cli_synth_refuses_a_non_empty_folder_without_force(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    res = runner.invoke(cli, ["synth", "-n", "2", "-o", str(tmp_path), "-q"])
    assert res.exit_code == 2  # a usage error: the folder is there, --force says what to do
    assert "not empty" in res.output and "--force" in res.output
    res = runner.invoke(cli, ["synth", "-n", "2", "-o", str(tmp_path), "-q", "--force"])
    assert res.exit_code == 0


def test_cli_build_rejects_an_unknown_engine(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["build", "--build-dir", str(tmp_path), "--shacl-engine", "fast"])
    assert res.exit_code == 2 and "fast" in res.output
