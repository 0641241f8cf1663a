"""Read `data/` into a Dataset, collecting every problem with its file, line and field."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import model as m
from kg.codes import code_error
from kg.yamlio import LineDict, LineList, Loc, YamlError, read_yaml

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
SOURCE_ID_RE = re.compile(r"[0-9A-Za-z_.-]+")
DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
TOP_LEVEL = (
    "sources", "prefectures", "municipalities", "stakeholders", "initiatives", "plans",
    "factors", "value_categories", "drivers", "principles", *m.VOCAB_SCHEMES,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located."""

    loc: Loc
    message: str

    def __str__(self) -> str:
        return f"{self.loc}: {self.message}"


class DataInvalid(Exception):
    """The data folder has problems; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Reader:
    """Field accessors over one YAML mapping that record problems instead of raising."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(loc, message))

    def mapping(self, value: Any, loc: Loc) -> LineDict | None:
        if not isinstance(value, dict):
            self.problem(loc, f"expected a mapping, got {_kind(value)}")
            return None
        return value  # type: ignore[return-value]

    def items(self, d: LineDict, key: str, loc: Loc, required: bool = False) -> list[tuple[LineDict, Loc]]:
        """The mappings in list `key`, each with its location."""
        value = d.get(key)
        if value is None:
            if required:
                self.problem(loc.at(key, d.line_of(key)), "missing (need at least one)")
            return []
        if not isinstance(value, list):
            self.problem(loc.at(key, d.line_of(key)), f"expected a list, got {_kind(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            line = value.line_of(i) if isinstance(value, LineList) else d.line_of(key)
            item_loc = loc.at(key, line).at(f"[{i}]", line)
            if isinstance(item, dict):
                out.append((item, Loc(item_loc.file, item.line, item_loc.field)))  # type: ignore[attr-defined]
            else:
                self.problem(item_loc, f"expected a mapping, got {_kind(item)}")
        return out

    def string(self, d: LineDict, key: str, loc: Loc, required: bool = True) -> str | None:
        value = d.get(key)
        where = loc.at(key, d.line_of(key))
        if value is None or value == "":
            if required:
                self.problem(where, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(where, f"expected text, got {_kind(value)}")
            return None
        return str(value).strip()

    def ident(self, d: LineDict, key: str, loc: Loc, required: bool = True) -> str | None:
        value = self.string(d, key, loc, required)
        if value is not None and not ID_RE.fullmatch(value):
            self.problem(loc.at(key, d.line_of(key)), f"id {value!r} must be lower-case ASCII letters, digits, '-'")
            return None
        return value

    def choice(self, d: LineDict, key: str, loc: Loc, options: tuple[str, ...], required: bool = True) -> str | None:
        value = self.string(d, key, loc, required)
        if value is not None and value not in options:
            self.problem(loc.at(key, d.line_of(key)), f"{value!r} is not one of {', '.join(options)}")
            return None
        return value

    def code(self, d: LineDict, key: str, loc: Loc, options: tuple[str, ...], what: str) -> str | None:
        value = self.string(d, key, loc)
        if value is not None and value not in options:
            where = loc.at(key, d.line_of(key))
            self.problem(where, f"unknown {what} code {value!r} (known: {options[0]}–{options[-1]})")
            return None
        return value

    def date(self, d: LineDict, key: str, loc: Loc) -> str | None:
        value = d.get(key)
        if isinstance(value, (_dt.date, _dt.datetime)):
            return value.isoformat()[:10]
        text = self.string(d, key, loc, required=False)
        if text is not None and not DATE_RE.fullmatch(text):
            self.problem(loc.at(key, d.line_of(key)), f"date {text!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
            return None
        return text

    def number(self, d: LineDict, key: str, loc: Loc, whole: bool = False) -> int | float | None:
        value = d.get(key)
        where = loc.at(key, d.line_of(key))
        if value is None:
            self.problem(where, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, f"expected a number, got {value!r} (write 14456, not \"14,456名\")")
            return None
        if whole and not (isinstance(value, int) or float(value).is_integer()):
            self.problem(where, f"expected a whole number, got {value!r}")
            return None
        return int(value) if whole else value

    def text(self, d: LineDict, key: str, loc: Loc, required: bool = True) -> m.Text | None:
        value = d.get(key)
        where = loc.at(key, d.line_of(key))
        if value is None:
            if required:
                self.problem(where, "missing (need {ja: …, en: …})")
            return None
        if not isinstance(value, dict):
            self.problem(where, f"expected {{ja: …, en: …}}, got {_kind(value)}")
            return None
        ja = self.string(value, "ja", where)  # type: ignore[arg-type]
        en = self.string(value, "en", where)  # type: ignore[arg-type]
        return m.Text(ja, en) if ja and en else None

    def alt_names(self, d: LineDict, loc: Loc) -> m.AltNames:
        value = d.get("alt_names")
        if value is None:
            return m.AltNames()
        where = loc.at("alt_names", d.line_of("alt_names"))
        if not isinstance(value, dict) or set(value) - {"ja", "en"}:
            self.problem(where, "expected {ja: [...], en: [...]}")
            return m.AltNames()
        out = {}
        for lang in ("ja", "en"):
            names = value.get(lang) or []
            if isinstance(names, str):
                names = [names]
            if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
                self.problem(where.at(lang), "expected a list of names")
                names = []
            out[lang] = tuple(n.strip() for n in names)
        return m.AltNames(**out)

    def id_list(self, d: LineDict, key: str, loc: Loc) -> list[str]:
        value = d.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(loc.at(key, d.line_of(key)), "expected a list of ids")
            return []
        return [v.strip() for v in value]

    def evidence(self, d: LineDict, loc: Loc, parent_source: str | None) -> m.Evidence | None:
        source = self.string(d, "source", loc, required=False) or parent_source
        quote = self.string(d, "quote", loc, required=False)
        if source is None:
            self.problem(loc.at("source", d.line_of("source")), "missing source (the source document's id)")
        if quote is None:
            self.problem(loc.at("quote", d.line_of("quote")), "missing quote (a verbatim excerpt of the source)")
        if source is None or quote is None:
            return None
        return m.Evidence(source, quote, loc.at("quote", d.line_of("quote")))

    def tags(self, d: LineDict, loc: Loc, owner: m.Evidence, schemes: tuple[str, ...]) -> list[m.Tag]:
        out = []
        for scheme in schemes:
            key = scheme + "s"
            for item, item_loc in self.items(d, key, loc):
                code = self.code(item, "code", item_loc, m.TAG_SCHEMES[scheme], scheme)
                basis = self.choice(item, "basis", item_loc, m.BASES)
                rationale = self.string(item, "rationale", item_loc, required=False)
                if basis == "inferred" and not rationale:
                    self.problem(item_loc.at("rationale", item.line_of("rationale")),
                                 "missing (an inferred tag needs a one-line rationale)")
                quote = self.string(item, "quote", item_loc, required=False)
                score = self.score(item, item_loc, basis, quote)
                source = self.string(item, "source", item_loc, required=False) or owner.source
                ev = m.Evidence(source, quote, item_loc.at("quote", item.line_of("quote"))) if quote else owner
                if code and basis:
                    out.append(m.Tag(scheme, code, basis, rationale, ev, item_loc, score))
        return out


    def score(self, item: LineDict, loc: Loc, basis: str | None, quote: str | None) -> float | None:
        """A suggested tag's `score` (0–1); it also needs its own `quote`, the sentence that shows it."""
        if basis != "suggested":
            if item.get("score") is not None:
                self.problem(loc.at("score", item.line_of("score")), "only a suggested tag has a score")
            return None
        if not quote:
            self.problem(loc.at("quote", item.line_of("quote")),
                         "missing (a suggested tag needs its own quote: the sentence that shows it)")
        value = self.number(item, "score", loc)
        if value is not None and not 0 <= value <= 1:
            self.problem(loc.at("score", item.line_of("score")), f"score {value!r} must be between 0 and 1")
            return None
        return None if value is None else float(value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number",
            bool: "true/false"}.get(type(value), type(value).__name__)


class _Parser(_Reader):
    """Turns the top-level lists of each file into Dataset records."""

    def __init__(self, problems: list[Problem], ds: m.Dataset):
        super().__init__(problems)
        self.ds = ds

    def source(self, d: LineDict, loc: Loc) -> None:
        sid = self.string(d, "id", loc)
        if sid and not SOURCE_ID_RE.fullmatch(sid):
            self.problem(loc.at("id", d.line_of("id")), f"source id {sid!r} must be a file name without .txt")
            sid = None
        title = self.text(d, "title", loc)
        kind = self.choice(d, "kind", loc, m.SOURCE_KINDS)
        rel = self.choice(d, "reliability", loc, m.RELIABILITIES)
        publisher = self.text(d, "publisher", loc, required=False)
        note = d.get("note")
        note_en = note.get("en") if isinstance(note, dict) else note
        if sid and title and kind and rel:
            self.ds.sources.append(m.Source(sid, title, kind, rel, publisher, self.date(d, "date", loc), note_en, loc))

    def prefecture(self, d: LineDict, loc: Loc) -> None:
        pid, name = self.ident(d, "id", loc), self.text(d, "name", loc)
        code = self.muni_code(d, loc)
        if pid and name and code:
            self.ds.prefectures.append(m.Prefecture(pid, code, name, loc))

    def muni_code(self, d: LineDict, loc: Loc) -> str | None:
        value = d.get("code")
        where = loc.at("code", d.line_of("code"))
        if isinstance(value, int) and not isinstance(value, bool):
            self.problem(where, f"code must be quoted text (\"{value:06d}\"), or its leading zero is lost")
            return None
        code = self.string(d, "code", loc)
        if code is None:
            return None
        error = code_error(code)
        if error:
            self.problem(where, error)
            return None
        return code

    def municipality(self, d: LineDict, loc: Loc) -> None:
        mid, name = self.ident(d, "id", loc), self.text(d, "name", loc)
        code = self.muni_code(d, loc)
        kind = self.choice(d, "kind", loc, m.MUNICIPALITY_KINDS)
        pref = self.ident(d, "prefecture", loc)
        description, desc_ev = None, None
        if d.get("description") is not None:
            dd = self.mapping(d["description"], loc.at("description", d.line_of("description")))
            if dd is not None:
                dloc = loc.at("description", d.line_of("description"))
                ja, en = self.string(dd, "ja", dloc), self.string(dd, "en", dloc)
                description = m.Text(ja, en) if ja and en else None
                desc_ev = self.evidence(dd, dloc, None)
        figures = []
        for f, floc in self.items(d, "figures", loc):
            kind_f = self.choice(f, "kind", floc, tuple(m.FIGURE_KINDS))
            if kind_f is None:
                continue
            unit, whole = m.FIGURE_KINDS[kind_f]
            value = self.number(f, "value", floc, whole=whole)
            ev = self.evidence(f, floc, None)
            if value is not None and ev:
                figures.append(m.Figure(kind_f, value, unit, self.date(f, "date", floc), ev))
        if mid and name and code and kind and pref:
            self.ds.municipalities.append(
                m.Municipality(mid, code, name, self.alt_names(d, loc), kind, pref, description, desc_ev, figures, loc)
            )

    def stakeholder(self, d: LineDict, loc: Loc) -> None:
        sid, name = self.ident(d, "id", loc), self.text(d, "name", loc)
        stype = self.ident(d, "type", loc)
        muni = self.ident(d, "municipality", loc, required=False)
        if sid and name and stype:
            self.ds.stakeholders.append(m.Stakeholder(sid, name, self.alt_names(d, loc), stype, muni, loc))

    def initiative(self, d: LineDict, loc: Loc) -> None:
        iid, name = self.ident(d, "id", loc), self.text(d, "name", loc)
        ev = self.evidence(d, loc, None)
        munis = self.id_list(d, "municipalities", loc)
        pref = self.ident(d, "prefecture", loc, required=False)
        if not munis and not pref:
            self.problem(loc.at("municipalities", d.line_of("municipalities")),
                         "missing (an initiative needs municipalities, or a prefecture when the source names none)")
        parent_source = ev.source if ev else None
        parts = []
        for p, ploc in self.items(d, "stakeholders", loc):
            sid = self.ident(p, "stakeholder", ploc)
            role = self.text(p, "role", ploc, required=False)
            pev = self.evidence(p, ploc, parent_source)
            if sid and pev:
                parts.append(m.Participation(sid, role, pev))
        outcomes = []
        for o, oloc in self.items(d, "outcomes", loc):
            oid, indicator = self.ident(o, "id", oloc), self.text(o, "indicator", oloc)
            value = self.number(o, "value", oloc)
            unit = self.string(o, "unit", oloc)
            oev = self.evidence(o, oloc, parent_source)
            if oid and indicator and value is not None and unit and oev:
                outcomes.append(m.Outcome(oid, indicator, value, unit, self.date(o, "date", oloc),
                                          self.text(o, "description", oloc, required=False), oev))
        practices = []
        for p, ploc in self.items(d, "practices", loc):
            pid, pname = self.ident(p, "id", ploc), self.text(p, "name", ploc)
            pev = self.evidence(p, ploc, parent_source)
            if pev is None:
                continue
            tags = self.tags(p, ploc, pev, ("factor", "driver"))
            if pid and pname:
                practices.append(m.Practice(pid, pname, self.text(p, "description", ploc, required=False), pev, tags))
        if iid and name and ev and (munis or pref):
            self.ds.initiatives.append(m.Initiative(
                iid, munis, pref, name, self.alt_names(d, loc), self.text(d, "description", loc, required=False),
                self.id_list(d, "domains", loc), self.id_list(d, "technologies", loc), ev, parts, outcomes, practices,
            ))

    def plan(self, d: LineDict, loc: Loc) -> None:
        pid, name = self.ident(d, "id", loc), self.text(d, "name", loc)
        muni = self.ident(d, "municipality", loc)
        ev = self.evidence(d, loc, None)
        measures = []
        for me, mloc in self.items(d, "measures", loc, required=True):
            mid, mname = self.ident(me, "id", mloc), self.text(me, "name", mloc)
            mev = self.evidence(me, mloc, ev.source if ev else None)
            if mev is None:
                continue
            tags = self.tags(me, mloc, mev, ("principle", "driver"))
            if mid and mname:
                measures.append(m.Measure(
                    mid, mname, self.text(me, "section", mloc, required=False),
                    self.text(me, "description", mloc, required=False), self.id_list(me, "domains", mloc),
                    self.id_list(me, "technologies", mloc), mev, tags,
                ))
        if pid and name and muni and ev:
            self.ds.plans.append(m.Plan(pid, muni, name, self.date(d, "date", loc), ev, measures))

    def factor(self, d: LineDict, loc: Loc) -> None:
        code = self.code(d, "code", loc, m.FACTOR_CODES, "factor")
        name, definition = self.text(d, "name", loc), self.text(d, "definition", loc)
        ev = self.evidence(d, loc, None)
        if code and name and definition and ev:
            self.ds.factors.append(m.Factor(code, name, definition, ev))

    def value_category(self, d: LineDict, loc: Loc) -> None:
        vid, name, ev = self.ident(d, "id", loc), self.text(d, "name", loc), self.evidence(d, loc, None)
        if vid and name and ev:
            self.ds.value_categories.append(m.ValueCategory(vid, name, ev))

    def driver(self, d: LineDict, loc: Loc) -> None:
        code = self.code(d, "code", loc, m.DRIVER_CODES, "driver")
        name, definition = self.text(d, "name", loc), self.text(d, "definition", loc)
        cat = self.ident(d, "value_category", loc)
        ev = self.evidence(d, loc, None)
        if code and name and definition and cat and ev:
            self.ds.drivers.append(m.Driver(code, name, cat, definition, _note(d), ev))

    def principle(self, d: LineDict, loc: Loc) -> None:
        code = self.code(d, "code", loc, m.PRINCIPLE_CODES, "principle")
        name, definition = self.text(d, "name", loc), self.text(d, "definition", loc)
        ev = self.evidence(d, loc, None)
        groups: dict[str, list[m.Guidance]] = {"pitfalls": [], "countermeasures": []}
        for key, out in groups.items():
            for g, gloc in self.items(d, key, loc, required=True):
                gid, gname = self.ident(g, "id", gloc), self.text(g, "name", gloc)
                gev = self.evidence(g, gloc, ev.source if ev else None)
                if gid and gname and gev:
                    out.append(m.Guidance(gid, gname, self.text(g, "description", gloc, required=False), gev))
        related = self.tags(d, loc, ev, ("factor", "driver")) if ev else []
        if code and name and definition and ev:
            self.ds.principles.append(m.Principle(
                code, name, definition, _note(d), ev, groups["pitfalls"], groups["countermeasures"], related
            ))

    def vocab(self, scheme: str, d: LineDict, loc: Loc) -> None:
        vid, name = self.ident(d, "id", loc), self.text(d, "name", loc)
        if vid and name:
            self.ds.vocab.append(m.VocabTerm(scheme, vid, name, loc))


def _note(d: LineDict) -> str | None:
    note = d.get("note")
    return note.get("en") if isinstance(note, dict) else note


def data_files(data_dir: Path) -> list[Path]:
    """The YAML files of a data folder, in a stable order."""
    return sorted(p for p in data_dir.rglob("*.yaml") if p.is_file())


def parse_data(data_dir: Path) -> tuple[m.Dataset, list[Problem]]:
    """Read every YAML file below `data_dir`; return the records and the problems found."""
    ds = m.Dataset()
    problems: list[Problem] = []
    if not data_dir.is_dir():
        return ds, [Problem(Loc(str(data_dir), 0), "data folder not found")]
    parser = _Parser(problems, ds)
    handlers: dict[str, Callable[[LineDict, Loc], None]] = {
        "sources": parser.source, "prefectures": parser.prefecture, "municipalities": parser.municipality,
        "stakeholders": parser.stakeholder, "initiatives": parser.initiative, "plans": parser.plan,
        "factors": parser.factor, "value_categories": parser.value_category, "drivers": parser.driver,
        "principles": parser.principle,
    }
    for scheme in m.VOCAB_SCHEMES:
        handlers[scheme] = lambda d, loc, s=scheme: parser.vocab(s, d, loc)
    files = data_files(data_dir)
    if not files:
        problems.append(Problem(Loc(str(data_dir), 0), "no .yaml files in the data folder"))
    for path in files:
        display = _display(path)
        try:
            doc = read_yaml(path, display)
        except YamlError as exc:
            problems.append(Problem(exc.loc, exc.message))
            continue
        if doc is None:
            continue
        if not isinstance(doc, dict):
            problems.append(Problem(Loc(display, 1), f"expected a mapping of lists at the top, got {_kind(doc)}"))
            continue
        for key in doc:
            loc = Loc(display, doc.line_of(key), str(key))
            if key not in handlers:
                problems.append(Problem(loc, f"unknown top-level key (known: {', '.join(TOP_LEVEL)})"))
                continue
            for item, item_loc in parser.items(doc, key, Loc(display, doc.line, "")):
                handlers[key](item, item_loc)
    return ds, problems


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
