"""Bad data: each problem is named with file, line and field; exit 1; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import FIXTURE_SOURCES

INA = "cases/ina.yaml"
MORI_H = "cases/mori-hokkaido.yaml"


def _line(text: str, needle: str) -> int:
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def _break(data: Path, file: str, old: str, new: str, at: str | None = None) -> int:
    """Replace `old` by `new` once in a data file; return the line of `at` (default `old`) before the change."""
    path = data / file
    text = path.read_text(encoding="utf-8")
    line = _line(text, at or old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _build(data: Path, out: Path):
    return CliRunner().invoke(cli, ["build", "-q", "--data", str(data), "--build-dir", str(out),
                                    "--sources", str(FIXTURE_SOURCES)])


CASES = [
    # (file, old, new, expected field, expected message, where the error points when not at `old`)
    (INA, "kind: city", "kind: city: town", "", "malformed YAML", None),
    (INA, "factors: [{code: A, basis: explicit}]", "factors: [{code: G, basis: explicit}]",
     "practices[1].factors[0].code", "unknown factor code 'G'", None),
    (INA, "drivers: [{code: 2, basis: explicit}]", "drivers: [{code: 13, basis: explicit}]",
     "practices[1].drivers[0].code", "unknown driver code '13'", None),
    (INA, "stakeholder: hokushin-university,", "stakeholder: nowhere-university,",
     "stakeholders[0].stakeholder", "undefined stakeholder 'nowhere-university'", None),
    (INA, "id: ina-reuse", "id: ina-speakers", "", "duplicate practice id 'ina-speakers'", None),
    (INA, 'code: "202096"', 'code: "202097"', "municipalities[0].code", "expected 6", None),
    (INA, "    source: fx_report\n    quote: ドローン物流", "    quote: ドローン物流",
     "initiatives[0].source", "missing source", "  - id: ina-drone-logistics"),
    (INA, "quote: 北信大学が技術動向の助言を担当した。", "role2: x", "stakeholders[0].quote", "missing quote",
     "  - {stakeholder: hokushin"),
    (INA, "quote: 自動運転の知見をドローンに流用した。", "quote: 自動運転の知見を宇宙に流用した。",
     "practices[1].quote", "quote not found verbatim in source fx_report", None),
    (INA, "kind: city", "? [kind]\n    : city", "", "malformed YAML: a key cannot be a list", None),
    (INA, "prefecture: nagano", "kind: town", "", "malformed YAML: duplicate key 'kind'", None),
]


@pytest.mark.parametrize(("file", "old", "new", "field", "message", "at"), CASES,
                         ids=["yaml", "factor-G", "driver-13", "undefined-ref", "duplicate-id", "check-digit",
                              "missing-source", "missing-quote", "quote-not-in-source", "list-as-key",
                              "duplicate-key"])
def test_bad_data_is_reported_and_nothing_written(data_copy: Path, tmp_path: Path, file: str, old: str, new: str,
                                                  field: str, message: str, at: str | None) -> None:
    line = _break(data_copy, file, old, new, at)
    out = tmp_path / "build"
    result = _build(data_copy, out)
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.stderr.splitlines() if message in ln]
    assert errors, result.stderr
    if message.startswith("duplicate "):
        assert "first defined at" in errors[0]
    else:
        assert f"{file}:{line}" in errors[0], errors
        assert field in errors[0]
    assert not out.exists()


def test_failed_build_keeps_the_previous_build(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert _build(data_copy, out).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}  # graph files and store
    _break(data_copy, INA, "kind: city", "kind: city: town")
    assert _build(data_copy, out).exit_code == 1
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_unquoted_code_is_refused(data_copy: Path, tmp_path: Path) -> None:
    # YAML reads 202096 as a number (and 010006 as octal): codes must be quoted text.
    line = _break(data_copy, INA, 'code: "202096"', "code: 202096")
    result = _build(data_copy, tmp_path / "b")
    assert result.exit_code == 1
    assert f"{INA}:{line}: municipalities[0].code: code must be quoted" in result.stderr


def test_inferred_tag_needs_a_rationale(data_copy: Path, tmp_path: Path) -> None:
    line = _break(data_copy, MORI_H, "basis: inferred, rationale: Departments share what they have.",
                  "basis: inferred")
    result = _build(data_copy, tmp_path / "b")
    assert result.exit_code == 1
    assert f"{MORI_H}:{line}: initiatives[0].practices[1].drivers[0].rationale" in result.stderr


def test_validate_exit_codes(data_copy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", "-q", "--data", str(data_copy), "--sources", str(FIXTURE_SOURCES)])
    assert ok.exit_code == 0 and "quotes checked" in ok.stdout
    missing = runner.invoke(cli, ["validate", "--data", str(data_copy), "--sources", str(tmp_path / "nope")])
    assert missing.exit_code == 2
    _break(data_copy, INA, "code: B, basis: explicit", "code: G, basis: explicit")
    bad = runner.invoke(cli, ["validate", "-q", "--data", str(data_copy), "--sources", str(FIXTURE_SOURCES)])
    assert bad.exit_code == 1 and "unknown factor code 'G'" in bad.stderr
