"""The one declaration of the data files: `data/schema.json` (JSON Schema 2020-12), and checking a file against it.

The schema is what curators' editors read for completion and checks (see data/README.md), what the
loader validates every file with (python-jsonschema), and where the enumerations the model and the
SHACL shapes share come from (`enum`, `figure_units`). Errors are located with the line numbers the
YAML reader kept, and never print a whole value.
"""

from __future__ import annotations

import calendar
import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from kg.codes import code_error
from kg.paths import packaged_data_dir
from kg.yamlio import LineDict, LineList, Loc

if TYPE_CHECKING:
    import jsonschema

SCHEMA_FILE = "schema.json"
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# Why a key is needed, for "missing" errors a curator can act on.
_WHY = {
    "source": "the source document's id",
    "quote": "a verbatim excerpt of the source",
    "rationale": "an inferred tag needs a one-line rationale",
    "score": "a suggested tag carries the suggester's score",
    "measures": "need at least one",
    "pitfalls": "need at least one",
    "countermeasures": "need at least one",
    "name": "need {ja: …, en: …}",
}


@dataclass(frozen=True)
class SchemaProblem:
    loc: Loc
    message: str


MAX_ERRORS = 100  # schema errors reported per file (the command line shows 200 lines)


@cache
def schema() -> dict[str, Any]:
    """The data schema (read once per process: it is a package resource and never changes while running)."""
    data: dict[str, Any] = json.loads((packaged_data_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))
    return data


@cache
def python_schema() -> dict[str, Any]:
    """The schema as Python's `re` must read it: in JSON Schema (ECMA-262) a pattern's final `$` matches only
    at the end of the text, while `re.search` also lets it match before a final newline (`"212172\\n"` would
    pass for a code). Both validators are given this copy."""
    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: _python_pattern(v) if k == "pattern" and isinstance(v, str) else fix(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node
    fixed: dict[str, Any] = fix(schema())
    return fixed


def _python_pattern(ecma: str) -> str:
    if "$" in ecma[:-1]:  # only a final `$` is translated; the schema's patterns use no other
        raise ValueError(f"schema pattern {ecma!r}: `$` only at the end is supported")
    return ecma[:-1] + r"\Z" if ecma.endswith("$") and not ecma.endswith("\\$") else ecma


def definition(name: str) -> dict[str, Any]:
    found: dict[str, Any] = schema()["$defs"][name]
    return found


def enum(name: str, prop: str | None = None) -> tuple[Any, ...]:
    """The allowed values of a definition (or of one of its properties), in the schema's order."""
    node = definition(name)
    if prop is not None:
        node = node["properties"][prop]
    return tuple(node["enum"])


def figure_units() -> dict[str, tuple[str, bool]]:
    """Figure kind -> (unit, whether the value is a whole number)."""
    return {k: (unit, whole) for k, (unit, whole) in definition("figure")["x-units"].items()}


def top_level() -> tuple[str, ...]:
    return tuple(schema()["properties"])


@cache
def pattern(name: str) -> re.Pattern[str]:
    """The compiled pattern of a string definition (`id`, `sourceId`, `date` …), for code that makes values."""
    return re.compile(_python_pattern(definition(name)["pattern"]))


def term_name(slug: str) -> str:
    """The ontology's name for a value the data spells as a slug: at-least -> atLeast (dx:atLeast)."""
    head, *rest = slug.split("-")
    return head + "".join(w.capitalize() for w in rest)


def _check_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    m = _DATE.fullmatch(value)
    if not m or not m.group(3):
        return True  # the pattern keyword reports the shape; a year or a month needs no calendar
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _check_code(value: object) -> bool:
    return not isinstance(value, str) or not re.fullmatch(r"\d{6}", value) or code_error(value) is None


@cache
def validator() -> jsonschema.protocols.Validator:
    """A compiled validator with dxkg's two formats (a real calendar date, a code with its check digit)."""
    import jsonschema

    checker = jsonschema.FormatChecker()
    checker.checks("dxkg-date")(_check_date)
    checker.checks("local-government-code")(_check_code)
    cls = jsonschema.validators.validator_for(schema())
    made: jsonschema.protocols.Validator = cls(python_schema(), format_checker=checker)
    return made


@cache
def fast_validator() -> Any:
    """The same schema compiled to Python by fastjsonschema: 7 times faster than python-jsonschema on valid files,
    which at national scale are 1,745 files and half a minute. It decides only *whether* a file is valid;
    python-jsonschema explains the errors of one that is not. The schema's keywords mean the same in
    draft 7, which fastjsonschema implements, as in 2020-12 ($ref has no sibling keywords, $defs is
    reached by JSON pointer), and tests/test_schema.py checks that the two agree on every bad file."""
    import fastjsonschema

    definition = {**python_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(definition, formats={"dxkg-date": _check_date, "local-government-code": _check_code})


def is_valid(doc: Any) -> bool:
    """Whether a parsed data file meets the schema (fast; `problems` says how it does not)."""
    import fastjsonschema

    try:
        fast_validator()(doc)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def problems(doc: Any, file: str) -> list[SchemaProblem]:
    """Every way one parsed data file breaks the schema, located and worded for a curator."""
    if is_valid(doc):
        return []
    import itertools

    out = []
    # At most MAX_ERRORS per file: a file of a million wrong values is told about in a page, not gigabytes.
    errors = list(itertools.islice(validator().iter_errors(doc), MAX_ERRORS + 1))
    for error in sorted(errors[:MAX_ERRORS], key=lambda e: list(map(str, e.absolute_path))):
        for path, message in _explain(error):
            out.append(SchemaProblem(_locate(doc, file, path), message))
    if len(errors) > MAX_ERRORS:
        out.append(SchemaProblem(Loc(file, getattr(doc, "line", 1) or 1),
                                 f"more problems in this file than the first {MAX_ERRORS} shown: fix those first"))
    seen: set[tuple[str, int, str]] = set()
    unique = []
    for p in out:
        key = (p.loc.field, p.loc.line, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _explain(error: jsonschema.ValidationError) -> Iterator[tuple[list[Any], str]]:
    """(path to the field, message) for one schema error; composite errors explain their best sub-error."""
    path = list(error.absolute_path)
    # jsonschema types these as "value or unset"; an error from iter_errors always has them
    v: Any = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    sub: Any = error.schema
    if v in ("oneOf", "anyOf") and error.context:
        if v == "anyOf" and all(e.validator == "required" for e in error.context):
            keys: list[str] = sorted({m for e in error.context for m in e.validator_value})  # type: ignore[union-attr]
            yield path + [keys[0]], f"missing: need {' or '.join(keys)}"
            return
        best = _best(error.context)
        if best is not None:
            yield from _explain(best)
            return
        yield path, f"expected {_expected(expected)}, got {_kind(instance)}"
    elif v == "additionalProperties":
        allowed = sorted(sub.get("properties", {}))
        for key in sorted(set(instance) - set(allowed), key=str):
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed here: {', '.join(allowed)})"
            yield path + [key], f"unknown key {_short(key)}{hint}"
    elif v == "required":
        for key in expected:
            if key not in instance:
                why = _WHY.get(key)
                yield path + [key], f"missing {key} ({why})" if why else f"missing {key}"
    elif v == "type":
        if path and path[-1] == "code" and isinstance(instance, int):
            yield path, f"code must be quoted text (\"{instance:06d}\"), or its leading zero is lost"
        else:
            yield path, f"expected {_expected(expected)}, got {_kind(instance)}"
    elif v == "enum":
        allowed_names = [x for x in expected if isinstance(x, str)]
        if path and path[-1] == "code" and len(path) >= 3 and isinstance(path[-3], str):
            scheme = str(path[-3]).removesuffix("s")
            yield path, f"unknown {scheme} code {_short(str(instance))} (known: {allowed_names[0]}–{allowed_names[-1]})"
        else:
            yield path, f"{_short(instance)} is not one of {', '.join(allowed_names)}"
    elif v == "pattern":
        if expected == pattern("id").pattern:
            yield path, f"id {_short(instance)} must be lower-case ASCII letters, digits and '-'"
        elif expected == pattern("date").pattern:
            yield path, f"date {_short(instance)} must be YYYY, YYYY-MM or YYYY-MM-DD"
        elif expected == pattern("code6").pattern:
            yield path, f"municipality code must be six digits, got {_short(instance)}"
        elif expected == r"\S":
            yield path, "blank: only spaces or line breaks"
        else:
            yield path, f"{_short(instance)} does not have the form {expected}"
    elif v == "format" and expected == "dxkg-date":
        yield path, f"date {_short(instance)} is not a real date"
    elif v == "format" and expected == "local-government-code":
        yield path, code_error(instance) or f"{_short(instance)} is not a valid code"
    elif v == "maxLength":
        yield path, f"too long: {len(instance):,} characters (at most {expected:,}; quote a short excerpt)"
    elif v == "minLength":
        yield path, "empty"
    elif v in ("minimum", "exclusiveMinimum"):
        yield path, f"must be {expected} or more, got {_short(instance)}"
    elif v in ("maximum", "exclusiveMaximum"):
        yield path, f"must be {expected} or less, got {_short(instance)}"
    elif v == "minItems":
        yield path, f"need at least {expected}"
    elif v == "not" and isinstance(expected, dict) and list(expected) == ["required"]:
        why = sub.get("x-why", "not allowed here")
        yield path + [expected["required"][0]], why
    else:
        yield path, f"{v} {_short(expected)} not met"


def _best(errors: list[jsonschema.ValidationError]) -> jsonschema.ValidationError | None:
    """The sub-error that explains a failed oneOf/anyOf best: the deepest one whose type matched."""
    typed = [e for e in errors if e.validator != "type"]
    pool = typed or errors
    return max(pool, key=lambda e: len(e.absolute_path), default=None) if typed else None


def _expected(types: Any) -> str:
    names = {"string": "text", "object": "a mapping", "array": "a list", "number": "a number",
             "integer": "a whole number", "boolean": "true/false"}
    if isinstance(types, list):
        return " or ".join(names.get(str(t), str(t)) for t in types)
    return names.get(str(types), str(types))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({_short(value, 40)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _short(value: Any, limit: int = 60) -> str:
    """A value for a message: never the whole of a long or nested value."""
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _locate(doc: Any, file: str, path: list[Any]) -> Loc:
    """The file, line and dotted field of a path into a parsed document."""
    line = getattr(doc, "line", 1) or 1
    field = ""
    node = doc
    for step in path:
        if isinstance(step, int) and not isinstance(step, bool) and not isinstance(node, dict):
            field += f"[{step}]"
            if isinstance(node, LineList):
                line = node.line_of(step)
            node = node[step] if isinstance(node, list) and step < len(node) else None
        else:  # a key, whatever its type (`1:` and `on:` are keys too); a long one shortened
            name = str(step) if len(str(step)) <= 40 else str(step)[:39] + "…"
            field = f"{field}.{name}" if field else name
            if isinstance(node, LineDict):
                line = node.line_of(step) if step in node.key_lines else node.line
                node = dict.get(node, step)
            else:
                node = None
        if isinstance(node, (LineDict, LineList)):
            line = node.line if not isinstance(step, str) else line
    return Loc(file, line, field)


# Property shapes derived from the schema's enumerations: the end of ontology/shapes.ttl holds them
# between these markers, rewritten by `python -m kg.schema` and checked by tests/test_schema.py.
SHAPES_BEGIN = "# ---- generated from data/schema.json by `python -m kg.schema`: do not edit by hand"
SHAPES_END = "# ---- end of generated shapes"


def generated_shapes() -> str:
    """Turtle for the value lists the shapes share with the schema (figure kinds, source kinds, …)."""
    def values(items: tuple[Any, ...] | list[Any], iris: bool = False) -> str:
        return " ".join(f"dx:{v}" if iris else json.dumps(v, ensure_ascii=False) for v in items)

    lists = [
        ("figureKind", "dx:figureKind", values(list(figure_units())), "a figure kind the data schema knows"),
        ("sourceKind", "dx:sourceKind", values(enum("source", "kind")), "a source kind the data schema knows"),
        ("reliability", "dx:reliability", values(enum("source", "reliability")), "primary or secondary"),
        ("municipalityKind", "dx:municipalityKind", values(enum("municipality", "kind")),
         "city, town, village or special-ward"),
        ("qualifier", "dx:qualifier", values([term_name(q) for q in enum("qualifier")], iris=True),
         "a value qualifier the data schema knows"),
        ("basis", "dx:basis", values([str(b) for b in enum("factorTag", "basis")], iris=True),
         "explicit, inferred or suggested"),
    ]
    out = [SHAPES_BEGIN]
    for name, path, items, message in lists:
        out.append(f"dxs:{name}Values a sh:PropertyShape ; sh:path {path} ; sh:maxCount 1 ;\n"
                   f"    sh:in ( {items} ) ;\n    sh:message \"{message}\" .")
    out.append(SHAPES_END)
    return "\n".join(out) + "\n"


def _write_generated_shapes() -> None:
    from kg.files import write_atomic
    from kg.paths import shapes_file

    path = shapes_file()
    text = path.read_text(encoding="utf-8")
    head = text.split(SHAPES_BEGIN)[0].rstrip("\n")
    write_atomic(path, (head + "\n\n" + generated_shapes()).encode("utf-8"))
    print(f"wrote the generated shapes into {path}")


if __name__ == "__main__":  # python -m kg.schema: rewrite the generated end of ontology/shapes.ttl
    _write_generated_shapes()
