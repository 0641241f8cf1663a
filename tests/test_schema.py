"""The one data schema: misspelt keys, impossible dates, negative counts, hostile files — each a located error.

Time bounds on hostile input are measured in bench/hostile_input.py, not asserted here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal

from kg.build import build, check
from kg.cli import cli
from kg.load import parse_data
from kg.paths import packaged_data_dir, shapes_file
from kg.schema import SHAPES_BEGIN, SHAPES_END, generated_shapes, schema
from kg.terms import DX, ID
from kg.yamlio import Limits, YamlError, parse_yaml
from tests.conftest import FIXTURE_SOURCES

INA = "cases/ina.yaml"
MORI_S = "cases/mori-shizuoka.yaml"
FRAMEWORK = "framework.yaml"


def _line(text: str, needle: str) -> int:
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def _edit(data: Path, file: str, old: str, new: str) -> int:
    """Replace `old` by `new` once; return the line where `old` stood."""
    path = data / file
    text = path.read_text(encoding="utf-8")
    line = _line(text, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _problems(data: Path) -> list[str]:
    _, problems = parse_data(data)
    return [str(p) for p in problems]


# A misspelt key in every kind of record: (file, text, the same text misspelt, the field the error names).
MISSPELT = [
    ("sources.yaml", "    kind: report", "    kidn: report", "sources[0].kidn"),
    ("sources.yaml", '{id: hokkaido, code: "010006"', '{id: hokkaido, cdoe: "010006"', "prefectures[0].cdoe"),
    (INA, "    kind: city", "    kidn: city", "municipalities[0].kidn"),
    (INA, "{kind: population, value: 66528", "{kidn: population, value: 66528", "municipalities[0].figures[0].kidn"),
    (INA, "{id: hokushin-university, name:", "{id: hokushin-university, nmae:", "stakeholders[0].nmae"),
    (INA, "    domains: [logistics]", "    domians: [logistics]", "initiatives[0].domians"),
    (INA, "role: {ja: 技術動向の助言", "rloe: {ja: 技術動向の助言", "initiatives[0].stakeholders[0].rloe"),
    (INA, "{id: ina-drone-users, indicator:", "{id: ina-drone-users, indicatr:",
     "initiatives[0].outcomes[0].indicatr"),
    (INA, "        name: {ja: 集落の声の大きい人の雇用", "        nmae: {ja: 集落の声の大きい人の雇用",
     "initiatives[0].practices[0].nmae"),
    (INA, "basis: inferred, rationale: Explaining", "basis: inferred, rationle: Explaining",
     "initiatives[0].practices[0].factors[0].rationle"),
    (MORI_S, '    date: "2024"', '    dtae: "2024"', "plans[0].dtae"),
    (MORI_S, "        name: {ja: 課題の話し合いの場", "        nmae: {ja: 課題の話し合いの場",
     "plans[0].measures[0].nmae"),
    (FRAMEWORK, "  - {code: A, name:", "  - {cdoe: A, name:", "factors[0].cdoe"),
    (FRAMEWORK, "  - {code: 1, name: {ja: ビジョン", "  - {cdoe: 1, name: {ja: ビジョン", "drivers[0].cdoe"),
    (FRAMEWORK, "    definition: {ja: 取組開始前", "    defintion: {ja: 取組開始前", "principles[0].defintion"),
    (FRAMEWORK, "{id: fx-tech-first, name:", "{id: fx-tech-first, nmae:", "principles[0].pitfalls[0].nmae"),
    ("vocab.yaml", "  - {id: agriculture, name:", "  - {id: agriculture, nmae:", "domains[0].nmae"),
]


@pytest.mark.parametrize(("file", "old", "new", "field"), MISSPELT, ids=[m[3] for m in MISSPELT])
def test_a_misspelt_key_in_any_record_is_a_located_error(data_copy: Path, file: str, old: str, new: str,
                                                          field: str) -> None:
    line = _edit(data_copy, file, old, new)
    problems = _problems(data_copy)
    wanted = [p for p in problems if f"{file}:{line}: {field}: unknown key" in p]
    assert wanted, problems
    assert "did you mean" in wanted[0]


WRONG = [
    ('date: "2022-01", source: fx_report, quote: "長野県', 'date: "2022-13", source: fx_report, quote: "長野県',
     "municipalities[0].figures[0].date", "must be YYYY, YYYY-MM or YYYY-MM-DD"),
    ('date: "2022-01", source: fx_report, quote: "長野県', 'date: "2023-02-30", source: fx_report, quote: "長野県',
     "municipalities[0].figures[0].date", "is not a real date"),
    ("value: 66528", "value: -66528", "municipalities[0].figures[0].value", "must be 0 or more, got -66528"),
    ("value: 66528", "value: 66528.5", "municipalities[0].figures[0].value", "expected a whole number"),
    ("value: 120, unit: persons", "value: -120, unit: persons", "initiatives[0].outcomes[0].value",
     "must be 0 or more, got -120"),
    ("value: 120, unit: persons", "value: many, unit: persons", "initiatives[0].outcomes[0].value",
     "expected a number, got text ('many')"),
    ("    domains: [logistics]", "    domains: [Logistics]", "initiatives[0].domains",
     "must be lower-case ASCII letters"),
    ("    name: {ja: ドローン物流, en: Drone logistics}", "    name: {ja: ドローン物流}", "initiatives[0].name.en",
     "missing en"),
]


@pytest.mark.parametrize(("old", "new", "field", "message"), WRONG)
def test_wrong_values_are_located_errors(data_copy: Path, old: str, new: str, field: str, message: str) -> None:
    line = _edit(data_copy, INA, old, new)
    problems = _problems(data_copy)
    assert any(f"{INA}:{line}: {field}" in p and message in p for p in problems), problems


def test_an_empty_case_file_is_an_error_not_a_vanished_municipality(data_copy: Path) -> None:
    (data_copy / INA).write_text("# nothing yet\n", encoding="utf-8")
    problems = _problems(data_copy)
    assert any(f"{INA}:1: empty file" in p for p in problems), problems


def test_invalid_utf8_is_reported_at_its_line(data_copy: Path) -> None:
    path = data_copy / INA
    lines = path.read_bytes().split(b"\n")
    lines[14] = lines[14] + b" \xff\xfe"
    path.write_bytes(b"\n".join(lines))
    problems = _problems(data_copy)
    assert any(f"{INA}:15: not UTF-8 text (byte 0xff" in p for p in problems), problems


# Scalars YAML reads otherwise than they look, or cannot read: each a located error, never a traceback.
HOSTILE_SCALARS = [
    ("value: 66528", "value: 017", "write numbers in plain decimal digits"),  # octal 15
    ("value: 66528", "value: 0x10", "write numbers in plain decimal digits"),
    ("value: 66528", "value: 6:10:24", "write numbers in plain decimal digits"),  # base 60
    ("value: 66528", "value: 1_000", "write numbers in plain decimal digits"),
    ("value: 66528", "value: 1" + "0" * 5000, "write numbers in plain decimal digits"),
    ("value: 66528", "value: !!int abc", "write numbers in plain decimal digits"),
    ("value: 66528", "value: !!timestamp 2022-13-45", "not a valid timestamp"),
    ("    kind: city", "    kind: city # \x0c", "character U+000C is not allowed"),
    ('    code: "202096"', '    code: "202096\\n"', "municipality code must be six digits"),
    ("    kind: city", '    kind: "   "', "is not one of"),
]


@pytest.mark.parametrize(("old", "new", "message"), HOSTILE_SCALARS, ids=[h[1].strip()[:30] for h in HOSTILE_SCALARS])
def test_scalars_yaml_would_misread_are_located_errors(data_copy: Path, old: str, new: str, message: str) -> None:
    line = _edit(data_copy, INA, old, new)
    problems = _problems(data_copy)
    assert any(f"{INA}:{line}:" in p and message in p for p in problems), problems
    assert all(len(p) < 300 + len(str(data_copy)) for p in problems)  # never the whole value


def test_a_blank_name_or_quote_is_refused_where_it_stands(data_copy: Path) -> None:
    line = _edit(data_copy, INA, "    name: {ja: ドローン物流, en: Drone logistics}",
                 '    name: {ja: ドローン物流, en: "\u3000 "}')
    problems = _problems(data_copy)
    assert any(f"{INA}:{line}: initiatives[0].name.en: blank" in p for p in problems), problems


def test_one_long_text_aliased_many_times_is_refused_in_bounded_memory(data_copy: Path) -> None:
    """1 MB of text aliased 2,000 times would be 4 GB to anything that copies the values (error messages did)."""
    path = data_copy / "cases" / "zz.yaml"
    path.write_text('p: &p "' + "Q" * 1_000_000 + '"\nstakeholders:\n' +
                    "".join(f"  - {{id: s{i}, name: {{ja: *p, en: *p}}, type: company}}\n" for i in range(2000)),
                    encoding="utf-8")
    problems = _problems(data_copy)
    assert any("cases/zz.yaml:" in p and "expand to more than" in p and "characters" in p for p in problems), \
        [p[:200] for p in problems]


def test_a_file_of_many_wrong_values_is_told_in_a_page(data_copy: Path) -> None:
    from kg.schema import MAX_ERRORS

    (data_copy / "cases" / "zz.yaml").write_text("initiatives: [" + ",".join(["1"] * 50_000) + "]", encoding="utf-8")
    mine = [p for p in _problems(data_copy) if "cases/zz.yaml:" in p]
    assert len(mine) == MAX_ERRORS + 1 and "more problems in this file" in mine[-1]


def test_an_alias_bomb_is_refused_with_its_line_and_no_value_printed(data_copy: Path) -> None:
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    path = data_copy / "cases" / "bomb.yaml"
    path.write_text("\n".join(bomb) + "\nmunicipalities:\n  - {id: x, value: *a8}\n", encoding="utf-8")
    problems = _problems(data_copy)
    bad = [p for p in problems if "cases/bomb.yaml:" in p]
    assert bad and "expand to more than" in bad[0], problems
    assert all(len(p) < 300 + len(str(data_copy)) for p in problems)  # never the expanded value


def test_limits_on_file_size_depth_and_string_length(data_copy: Path) -> None:
    deep = data_copy / "cases" / "deep.yaml"
    deep.write_text("sources: " + "[" * 40 + "]" * 40 + "\n", encoding="utf-8")
    big = data_copy / "cases" / "big.yaml"
    big.write_text("# filler\n" + "#" * 2000 + "\n", encoding="utf-8")
    _edit(data_copy, INA, "ドローン物流, en: Drone logistics}", "ドローン物流, en: Drone logistics, x: 1}")
    text = (data_copy / INA).read_text(encoding="utf-8")
    (data_copy / INA).write_text(text.replace("quote: ドローン物流：", "quote: " + "長" * 5000 + "：", 1),
                                 encoding="utf-8")
    _, problems = parse_data(data_copy, Limits(file_bytes=1000))
    shown = [str(p) for p in problems]
    assert any("cases/deep.yaml:1: nested deeper than" in p for p in shown), shown
    assert any("cases/big.yaml:1: file of 2,010 bytes is over the 1,000-byte limit" in p for p in shown), shown
    shown = _problems(data_copy)
    assert any("initiatives[0].quote: too long: 5," in p and "at most 400" in p for p in shown), shown


@pytest.mark.parametrize("note", ["plain", "R&D", "a << b"])  # '&' or '<<': everything is counted before the walk
def test_depth_and_size_limits_hold_with_and_without_anchors(note: str) -> None:
    limits = Limits(depth=32, expanded_nodes=100)
    ok = f"note: {note}\nx: " + "[" * 30 + "1" + "]" * 30 + "\n"  # the file's mapping is level 1, the 1 level 32
    assert parse_yaml(ok, "f.yaml", limits)["note"] == note
    with pytest.raises(YamlError, match="nested deeper than 32 levels"):
        parse_yaml(f"note: {note}\nx: " + "[" * 31 + "1" + "]" * 31 + "\n", "f.yaml", limits)
    many = f"note: {note}\nx:\n" + "".join(f"  - {n}\n" for n in range(120))
    with pytest.raises(YamlError, match="more than 100 values") as refused:
        parse_yaml(many, "f.yaml", limits)
    # located in the list, where the values pass the limit (counted before any is built)
    assert refused.value.loc.file == "f.yaml" and 4 <= refused.value.loc.line <= 123


def test_a_qualified_number_needs_its_qualifier(data_copy: Path, tmp_path: Path) -> None:
    line = _edit(data_copy, INA, "quote: 利用者は120人となった", "quote: 利用者は約120人となった")
    (data_copy.parent / "sources").mkdir(exist_ok=True)
    problems = _problems(data_copy)
    assert any(f"{INA}:{line}: initiatives[0].outcomes[0].qualifier: the quote says '約'" in p for p in problems)
    _edit(data_copy, INA, "value: 120, unit: persons", "value: 120, qualifier: approximately, unit: persons")
    assert _problems(data_copy) == []
    out = tmp_path / "b"
    build(data_copy, out, None)
    g = Graph().parse(out / "dxkg.nt", format="nt")
    assert (ID["outcome/ina-drone-users"], DX.qualifier, DX.approximately) in g
    assert (ID["outcome/ina-drone-users"], DX.value, Literal(120)) in g


def test_duplicate_ids_across_files_name_the_record_not_its_quote(data_copy: Path) -> None:
    line = _edit(data_copy, MORI_S, "  - id: mori-s-tea-farm", "  - id: ina-orchard-drones")
    first = _line((data_copy / INA).read_text(encoding="utf-8"), "  - id: ina-orchard-drones")
    result = check(data_copy)
    dup = [str(p) for p in result.problems if "duplicate initiative id" in str(p)]
    # both at the lines of the ids, not of the records' quotes
    assert dup and f"{MORI_S}:{line}: initiatives[0]: duplicate" in dup[0], dup
    assert dup[0].endswith(f"{INA}:{first})"), dup


def test_a_negative_population_is_located_in_the_data_not_in_shacl(data_copy: Path) -> None:
    line = _edit(data_copy, INA, "value: 66528", "value: -5")
    result = CliRunner().invoke(cli, ["validate", "-q", "--data", str(data_copy), "--sources", str(FIXTURE_SOURCES)])
    assert result.exit_code == 1
    assert f"{INA}:{line}: municipalities[0].figures[0].value: must be 0 or more" in result.stderr
    assert "shacl:0" not in result.stderr


def test_the_shapes_share_the_schema_enumerations() -> None:
    text = shapes_file().read_text(encoding="utf-8")
    committed = SHAPES_BEGIN + text.split(SHAPES_BEGIN, 1)[1].split(SHAPES_END, 1)[0] + SHAPES_END + "\n"
    prefixes = "".join(line + "\n" for line in text.splitlines() if line.startswith("@prefix"))
    # compared as RDF: `python -m kg.schema` rewrites the block when the schema changes
    assert Graph().parse(data=prefixes + committed, format="turtle").isomorphic(
        Graph().parse(data=prefixes + generated_shapes(), format="turtle"))


def test_the_published_schema_is_valid_json_schema_and_covers_every_top_level_list() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema())
    published = json.loads((packaged_data_dir() / "schema.json").read_text(encoding="utf-8"))
    assert set(published["properties"]) == {
        "sources", "prefectures", "municipalities", "stakeholders", "resources", "initiatives", "plans", "factors",
        "value_categories", "drivers", "principles", "domains", "technologies", "stakeholder_types",
        "resource_kinds"}


def test_the_fast_validator_agrees_with_python_jsonschema(tmp_path: Path) -> None:
    """kg.schema.is_valid (fastjsonschema, draft 7) decides which files python-jsonschema (2020-12) must explain: on
    every good file and every broken one of this module the two give the same verdict."""
    from kg.load import data_files
    from kg.schema import is_valid, validator
    from kg.yamlio import read_yaml
    from tests.conftest import FIXTURE_DATA, REAL_DATA

    docs = [read_yaml(p) for folder in (FIXTURE_DATA, REAL_DATA) for p in data_files(folder)]
    broken = [(f, o, w) for f, o, w, _ in MISSPELT] + [(INA, o, w) for o, w, _, _ in WRONG]
    for n, (file, old, new) in enumerate(broken):
        text = (FIXTURE_DATA / file).read_text(encoding="utf-8")
        assert old in text
        path = tmp_path / f"{n}.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        docs.append(read_yaml(path))
    verdicts = [(is_valid(doc), not any(True for _ in validator().iter_errors(doc))) for doc in docs]
    assert all(fast == slow for fast, slow in verdicts)
    assert sum(1 for fast, _ in verdicts if not fast) == len(MISSPELT) + len(WRONG)


def test_a_refused_file_does_not_make_its_ids_undefined_everywhere_else(data_copy: Path) -> None:
    """A misspelt key in sources.yaml refuses the file; the many quotes citing fx_report are not
    reported as well: the curator sees the one line to fix."""
    line = _edit(data_copy, "sources.yaml", "    kind: report", "    kidn: report")
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_copy), "--no-sources", "-q"])
    assert result.exit_code == 1
    problems = [ln for ln in result.output.splitlines() if ln.startswith(str(data_copy))]
    # The misspelt key and the key it lacks now, both in sources.yaml; nothing in the case files.
    assert [p.split(": ")[0] for p in problems] == [f"{data_copy / 'sources.yaml'}:{line}",
                                                    f"{data_copy / 'sources.yaml'}:{line - 2}"]
    assert "(did you mean 'kind'?)" in problems[0] and problems[1].endswith("missing kind")
    assert "undefined" not in result.output
    assert "invalid: 2 problem(s)" in result.output


def test_a_key_the_loader_drops_is_reported_as_a_loader_bug(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema allows every key the loader reads; should the loader ever skip one (a bug), the fact
    would be lost without a word. Validating the schema reads every key too, so that must not count."""
    import kg.load

    line = _line((data_copy / INA).read_text(encoding="utf-8"), "    domains: [logistics]")
    real = kg.load._Converter.id_list

    def forgetful(d: kg.load.LineDict, key: str) -> list[str]:
        return [] if key == "domains" else real(d, key)

    monkeypatch.setattr(kg.load._Converter, "id_list", staticmethod(forgetful))
    problems = _problems(data_copy)
    wanted = f"{INA}:{line}: initiatives[0].domains: this key is allowed by the schema but dxkg does not read it " \
             "(report it as a bug)"
    assert any(p.endswith(wanted) for p in problems), problems


@pytest.mark.parametrize(("file", "old", "new"), [
    (FRAMEWORK, "  - {code: A, name:", "  - {code: A, bogus_kee: 1, name:"),  # records named by code
    (INA, "    kind: city", "\tkind: city"),  # not even YAML (a tab)
])
def test_a_refused_file_is_one_problem_not_every_reference_to_it(data_copy: Path, file: str, old: str,
                                                                  new: str) -> None:
    """The ids and codes a refused file would define still count: the references to them are not reported."""
    line = _edit(data_copy, file, old, new)
    problems = _problems(data_copy)
    assert len(problems) == 1 and f"{file}:{line}:" in problems[0], problems


@pytest.mark.parametrize(("data", "line", "message"), [
    (b"a: 1\rb: 2\rc: \xff\r", 3, "not UTF-8 text"),  # lines ended by CR alone, as old Mac editors wrote them
    ("a: 1\nb: \"x\u2028y\"\nc: 3\n".encode(), 2, r"U\+2028"),  # YAML would count a line editors do not show
])
def test_lines_are_counted_as_editors_count_them(tmp_path: Path, data: bytes, line: int, message: str) -> None:
    from kg.yamlio import read_yaml

    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    with pytest.raises(YamlError, match=message) as refused:
        read_yaml(path, "f.yaml")
    assert refused.value.loc.line == line


def test_every_mapping_in_the_fixture_refuses_an_unknown_key() -> None:
    """Not only the kinds listed above: each of the fixture's mappings, whatever record it is, given a key the
    schema does not know, is refused with the key's field path (no kind of record lets a typo through)."""
    from kg.schema import problems
    from kg.yamlio import LineDict, LineList
    from tests.conftest import FIXTURE_DATA

    def mappings(node: object, field: str) -> list[str]:
        if isinstance(node, LineDict):
            return [field] + [f for k, v in dict.items(node) for f in mappings(v, f"{field}.{k}" if field else str(k))]
        if isinstance(node, LineList):
            return [f for i, v in enumerate(node) for f in mappings(v, f"{field}[{i}]")]
        return []

    checked = 0
    for path in sorted(FIXTURE_DATA.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for field in mappings(parse_yaml(text, path.name), ""):
            doc = parse_yaml(text, path.name)
            node = doc
            for step in re.findall(r"[^.\[\]]+|\[\d+\]", field):
                node = node[int(step[1:-1])] if step.startswith("[") else node[step]
            dict.__setitem__(node, "zzqx", 1)
            node.key_lines["zzqx"] = node.line
            found = [p for p in problems(doc, path.name) if "unknown key 'zzqx'" in p.message]
            assert [p.loc.field for p in found] == [f"{field}.zzqx" if field else "zzqx"], (path.name, field)
            checked += 1
    assert checked > 100
