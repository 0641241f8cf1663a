"""Read `data/` into a Dataset, collecting every problem with its file, line and field.

Each file is read (bounded: kg.yamlio.Limits), checked against the one schema (data/schema.json via
kg.schema: unknown keys, wrong types, impossible dates, negative counts …), and only then turned into
the records of kg.model. The converter reads every key the schema allows; a key it did not read is
reported rather than dropped, so no fact can vanish between the YAML and the graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kg import model as m
from kg import schema
from kg.errors import DxkgError
from kg.yamlio import Limits, LineDict, LineList, Loc, YamlError, all_read, decode, forget_reads, parse_yaml, read_yaml

# Words that bound or approximate a number; a value whose quote has one needs a qualifier.
QUALIFYING_WORDS = ("約", "程度", "およそ", "以上", "以下", "未満", "超", "弱", "強")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located."""

    loc: Loc
    message: str

    def __str__(self) -> str:
        return f"{self.loc}: {self.message}"


class DataInvalid(DxkgError):
    """The data folder has problems; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Converter:
    """Turns one schema-valid file into Dataset records (types and shapes are already checked)."""

    def __init__(self, ds: m.Dataset, problems: list[Problem]):
        self.ds = ds
        self.problems = problems

    # --- fields ---------------------------------------------------------------------------------
    @staticmethod
    def items(d: LineDict, key: str, loc: Loc) -> list[tuple[LineDict, Loc]]:
        """The mappings in list `key`, each with its location."""
        value = d.get(key) or LineList()
        return [(item, Loc(loc.file, item.line, f"{loc.field}.{key}[{i}]" if loc.field else f"{key}[{i}]"))
                for i, item in enumerate(value)]

    @staticmethod
    def string(d: LineDict, key: str) -> str | None:
        value = d.get(key)
        return None if value is None else str(value).strip()

    @staticmethod
    def text(d: LineDict, key: str) -> m.Text | None:
        value = d.get(key)
        if value is None:
            return None
        return m.Text(str(value["ja"]).strip(), str(value["en"]).strip())

    @staticmethod
    def alt_names(d: LineDict) -> m.AltNames:
        value = d.get("alt_names")
        if value is None:
            return m.AltNames()
        out = {}
        for lang in ("ja", "en"):
            names = value.get(lang) or []
            out[lang] = tuple(n.strip() for n in ([names] if isinstance(names, str) else names))
        return m.AltNames(**out)

    @staticmethod
    def id_list(d: LineDict, key: str) -> list[str]:
        value = d.get(key)
        if value is None:
            return []
        return [v.strip() for v in ([value] if isinstance(value, str) else value)]

    @staticmethod
    def evidence(d: LineDict, loc: Loc, parent_source: str | None) -> m.Evidence:
        source = d.get("source") or parent_source
        assert source is not None, "the schema requires a source where none is inherited"
        key = "id" if "id" in d else "code" if "code" in d else None  # membership reads no key
        return m.Evidence(str(source), str(d["quote"]).strip(), loc.at("quote", d.line_of("quote")),
                          d.line_of(key) if key is not None else 0)

    def description(self, d: LineDict, loc: Loc, source: str) -> tuple[m.Text | None, list[m.Evidence]]:
        """A description and the evidence of the facts it states beyond the record's own quote."""
        value = d.get("description")
        if value is None:
            return None, []
        where = loc.at("description", d.line_of("description"))
        facts = [self.evidence(e, eloc, source) for e, eloc in self.items(value, "evidence", where)]
        return m.Text(str(value["ja"]).strip(), str(value["en"]).strip()), facts

    def tags(self, d: LineDict, loc: Loc, owner: m.Evidence, schemes: tuple[str, ...]) -> list[m.Tag]:
        out = []
        for scheme in schemes:
            for item, item_loc in self.items(d, scheme + "s", loc):
                quote = self.string(item, "quote")
                source = self.string(item, "source") or owner.source
                ev = m.Evidence(source, quote, item_loc.at("quote", item.line_of("quote"))) if quote else owner
                score = item.get("score")
                out.append(m.Tag(scheme, str(item["code"]), str(item["basis"]), self.string(item, "rationale"), ev,
                                 item_loc, None if score is None else float(score)))
        return out

    def qualified(self, d: LineDict, loc: Loc, quote: str) -> str | None:
        """The value's qualifier; a quote with a qualifying word and no qualifier is a problem."""
        qualifier = self.string(d, "qualifier")
        if qualifier is None:
            found = [w for w in QUALIFYING_WORDS if w in quote]
            if found:
                self.problems.append(Problem(loc.at("qualifier", d.line_of("value")),
                                             f"the quote says {found[0]!r} but the value has no qualifier "
                                             "(approximately, at-least, more-than, just-under, just-over, at-most, "
                                             f"less-than; or exact when {found[0]!r} does not qualify it)"))
        return qualifier

    # --- records --------------------------------------------------------------------------------
    def source(self, d: LineDict, loc: Loc) -> None:
        note = d.get("note")
        note_en = note.get("en") if isinstance(note, dict) else note
        self.ds.sources.append(m.Source(d["id"], self.text(d, "title"), d["kind"], d["reliability"],  # type: ignore[arg-type]
                                        self.text(d, "publisher"), self.string(d, "date"), note_en, loc))

    def prefecture(self, d: LineDict, loc: Loc) -> None:
        self.ds.prefectures.append(m.Prefecture(d["id"], d["code"], self.text(d, "name"), loc))  # type: ignore[arg-type]

    def municipality(self, d: LineDict, loc: Loc) -> None:
        description, desc_ev, facts = None, None, []
        if d.get("description") is not None:
            dd = d["description"]
            dloc = loc.at("description", d.line_of("description"))
            description = m.Text(str(dd["ja"]).strip(), str(dd["en"]).strip())
            desc_ev = self.evidence(dd, dloc, None)
            facts = [self.evidence(e, eloc, desc_ev.source) for e, eloc in self.items(dd, "evidence", dloc)]
        units = schema.figure_units()
        figures = []
        for f, floc in self.items(d, "figures", loc):
            unit, whole = units[f["kind"]]
            ev = self.evidence(f, floc, None)
            value = int(f["value"]) if whole else f["value"]
            figures.append(m.Figure(f["kind"], value, unit, self.string(f, "date"), ev,
                                    self.qualified(f, floc, ev.quote), self.string(f, "since"),
                                    self.text(f, "description")))
        self.ds.municipalities.append(m.Municipality(
            d["id"], d["code"], self.text(d, "name"), self.alt_names(d), d["kind"], d["prefecture"],  # type: ignore[arg-type]
            description, desc_ev, figures, loc, facts))

    def stakeholder(self, d: LineDict, loc: Loc) -> None:
        self.ds.stakeholders.append(m.Stakeholder(d["id"], self.text(d, "name"), self.alt_names(d), d["type"],  # type: ignore[arg-type]
                                                  self.string(d, "municipality"), loc))

    def resource(self, d: LineDict, loc: Loc) -> None:
        ev = self.evidence(d, loc, None)
        description, facts = self.description(d, loc, ev.source)
        self.ds.resources.append(m.Resource(d["id"], self.text(d, "name"), self.alt_names(d), d["kind"],  # type: ignore[arg-type]
                                            self.string(d, "provider"), description, ev, facts))

    def initiative(self, d: LineDict, loc: Loc) -> None:
        ev = self.evidence(d, loc, None)
        description, facts = self.description(d, loc, ev.source)
        parts = [m.Participation(p["stakeholder"], self.text(p, "role"), self.evidence(p, ploc, ev.source))
                 for p, ploc in self.items(d, "stakeholders", loc)]
        links = [m.ResourceLink(r["resource"], self.text(r, "role"), self.evidence(r, rloc, ev.source))
                 for r, rloc in self.items(d, "resources", loc)]
        outcomes = []
        for o, oloc in self.items(d, "outcomes", loc):
            oev = self.evidence(o, oloc, ev.source)
            odesc, ofacts = self.description(o, oloc, oev.source)
            outcomes.append(m.Outcome(o["id"], self.text(o, "indicator"), o["value"], str(o["unit"]),  # type: ignore[arg-type]
                                      self.string(o, "date"), odesc, oev, self.qualified(o, oloc, oev.quote), ofacts))
        practices = []
        for p, ploc in self.items(d, "practices", loc):
            pev = self.evidence(p, ploc, ev.source)
            pdesc, pfacts = self.description(p, ploc, pev.source)
            practices.append(m.Practice(p["id"], self.text(p, "name"), pdesc, pev,  # type: ignore[arg-type]
                                        self.tags(p, ploc, pev, ("factor", "driver")), pfacts))
        self.ds.initiatives.append(m.Initiative(
            d["id"], self.id_list(d, "municipalities"), self.string(d, "prefecture"), self.text(d, "name"),  # type: ignore[arg-type]
            self.alt_names(d), description, self.id_list(d, "domains"), self.id_list(d, "technologies"), ev, parts,
            outcomes, practices, links, facts))

    def value_part(self, d: LineDict | None, loc: Loc, owner: m.Evidence) -> m.ValuePart | None:
        if d is None:
            return None
        ev = self.evidence(d, loc, owner.source) if d.get("quote") is not None else None
        qualifier = self.qualified(d, loc, (ev or owner).quote)
        return m.ValuePart(d["value"], self.string(d, "date"), qualifier, self.string(d, "unit"), ev)

    def plan(self, d: LineDict, loc: Loc) -> None:
        ev = self.evidence(d, loc, None)
        measures = []
        for me, mloc in self.items(d, "measures", loc):
            mev = self.evidence(me, mloc, ev.source)
            desc, facts = self.description(me, mloc, mev.source)
            measures.append(m.Measure(me["id"], self.text(me, "name"), self.text(me, "section"), desc,  # type: ignore[arg-type]
                                      self.id_list(me, "domains"), self.id_list(me, "technologies"), mev,
                                      self.tags(me, mloc, mev, ("principle", "driver")), facts))
        risks = []
        for r, rloc in self.items(d, "risks", loc):
            rev = self.evidence(r, rloc, ev.source)
            desc, facts = self.description(r, rloc, rev.source)
            counter = r.get("countermeasure")
            cloc = rloc.at("countermeasure", r.line_of("countermeasure"))
            risks.append(m.Risk(r["id"], self.text(r, "name"), self.text(r, "category"), desc, rev,  # type: ignore[arg-type]
                                self.text(counter, "text") if counter else None,
                                self.evidence(counter, cloc, rev.source) if counter else None, facts))
        kpis = []
        for k, kloc in self.items(d, "kpis", loc):
            kev = self.evidence(k, kloc, ev.source)
            desc, facts = self.description(k, kloc, kev.source)
            parts = {key: self.value_part(k.get(key), kloc.at(key, k.line_of(key)), kev)
                     for key in ("baseline", "target")}
            kpis.append(m.Kpi(k["id"], self.text(k, "indicator"), self.string(k, "unit"), parts["baseline"],  # type: ignore[arg-type]
                              parts["target"], self.string(k, "measure"), desc, kev, facts))
        budget = []
        for b, bloc in self.items(d, "budget", loc):
            bev = self.evidence(b, bloc, ev.source)
            amount = self.value_part(b.get("amount"), bloc.at("amount", b.line_of("amount")), bev)
            budget.append(m.BudgetItem(b["id"], self.text(b, "statement"), amount, bev))  # type: ignore[arg-type]
        self.ds.plans.append(m.Plan(d["id"], d["municipality"], self.text(d, "name"), self.string(d, "date"), ev,  # type: ignore[arg-type]
                                    measures, risks, kpis, budget))

    def factor(self, d: LineDict, loc: Loc) -> None:
        self.ds.factors.append(m.Factor(str(d["code"]), self.text(d, "name"), self.text(d, "definition"),  # type: ignore[arg-type]
                                        self.evidence(d, loc, None)))

    def value_category(self, d: LineDict, loc: Loc) -> None:
        self.ds.value_categories.append(m.ValueCategory(d["id"], self.text(d, "name"), self.evidence(d, loc, None)))  # type: ignore[arg-type]

    def driver(self, d: LineDict, loc: Loc) -> None:
        self.ds.drivers.append(m.Driver(str(d["code"]), self.text(d, "name"), d["value_category"],  # type: ignore[arg-type]
                                        self.text(d, "definition"), _note(d), self.evidence(d, loc, None)))  # type: ignore[arg-type]

    def principle(self, d: LineDict, loc: Loc) -> None:
        ev = self.evidence(d, loc, None)
        groups: dict[str, list[m.Guidance]] = {"pitfalls": [], "countermeasures": []}
        for key, out in groups.items():
            for g, gloc in self.items(d, key, loc):
                out.append(m.Guidance(g["id"], self.text(g, "name"), self.text(g, "description"),  # type: ignore[arg-type]
                                      self.evidence(g, gloc, ev.source)))
        self.ds.principles.append(m.Principle(
            str(d["code"]), self.text(d, "name"), self.text(d, "definition"), _note(d), ev,  # type: ignore[arg-type]
            groups["pitfalls"], groups["countermeasures"], self.tags(d, loc, ev, ("factor", "driver"))))

    def vocab(self, scheme: str, d: LineDict, loc: Loc) -> None:
        self.ds.vocab.append(m.VocabTerm(scheme, d["id"], self.text(d, "name"), loc))  # type: ignore[arg-type]

    def handlers(self) -> dict[str, Callable[[LineDict, Loc], None]]:
        out: dict[str, Callable[[LineDict, Loc], None]] = {
            "sources": self.source, "prefectures": self.prefecture, "municipalities": self.municipality,
            "stakeholders": self.stakeholder, "resources": self.resource, "initiatives": self.initiative,
            "plans": self.plan, "factors": self.factor, "value_categories": self.value_category,
            "drivers": self.driver, "principles": self.principle,
        }
        for scheme in m.VOCAB_SCHEMES:
            out[scheme] = lambda d, loc, s=scheme: self.vocab(s, d, loc)  # type: ignore[misc]
        return out


def _note(d: LineDict) -> str | None:
    note = d.get("note")
    return note.get("en") if isinstance(note, dict) else note


def _unread(value: Any, loc: Loc) -> list[Problem]:
    """Keys the converter never read: each would be a fact silently lost (a loader bug, not a curator's)."""
    out = []
    if isinstance(value, LineDict):
        for key in value.unread():
            out.append(Problem(loc.at(str(key), value.line_of(key)),
                               "this key is allowed by the schema but dxkg does not read it (report it as a bug)"))
        for key, child in dict.items(value):
            out += _unread(child, loc.at(str(key), value.line_of(key)))
    elif isinstance(value, LineList):
        for i, child in enumerate(value):
            out += _unread(child, loc.at(f"[{i}]", value.line_of(i)))
    return out


def data_files(data_dir: Path) -> list[Path]:
    """The YAML files of a data folder, in a stable order."""
    return sorted(p for p in data_dir.rglob("*.yaml") if p.is_file())


def parse_file(path: Path, display: str, limits: Limits | None = None,
               data: bytes | None = None) -> tuple[m.Dataset, list[Problem]]:
    """The records of one data file, and its problems (none of its records when it has any).

    `data`, when given, is the file's content (already read, and within the size limit)."""
    ds = m.Dataset()
    try:
        if data is None:
            doc = read_yaml(path, display, limits or Limits())
        else:
            doc = parse_yaml(decode(data, display), display, limits or Limits())
    except YamlError as exc:
        return ds, [Problem(exc.loc, exc.message)]
    except OSError as exc:
        return ds, [Problem(Loc(display, 1), f"cannot read: {exc.strerror or exc}")]
    if doc is None:
        return ds, [Problem(Loc(display, 1), "empty file: a data file holds at least one top-level list "
                                             f"({', '.join(schema.top_level())})")]
    problems = [Problem(p.loc, p.message) for p in schema.problems(doc, display)]
    if problems:
        return ds, problems
    forget_reads(doc)  # the schema read every key; what matters is which the converter reads
    conv = _Converter(ds, problems)
    handlers = conv.handlers()
    for key in doc:
        for item, item_loc in conv.items(doc, key, Loc(display, doc.line, "")):
            handlers[key](item, item_loc)
    if not all_read(doc):  # rare: only then are the locations of the keys left unread worked out
        problems += _unread(doc, Loc(display, doc.line))
    return ds, problems


def declared_ids(data: bytes, display: str, limits: Limits | None = None) -> list[str]:
    """Every `id:` a refused file writes, read without the schema: the ids it would define once fixed.

    A file with a problem defines nothing, so the references other files make to its ids would be
    reported too; those are the same mistake seen twice, and the curator should see only its cause."""
    try:
        doc = parse_yaml(decode(data, display), display, limits or Limits())
    except YamlError:  # not even YAML: what looks like an id or a code is taken for one
        text = data.decode("utf-8", errors="replace")
        return sorted(set(re.findall(r"(?<![\w-])(?:id|code)\s*:\s*[\"']?([\w.-]{1,200})", text)))
    found, stack = set(), [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in ("id", "code"):  # the framework's factors, drivers and principles are named by code
                value = node.get(key)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    found.add(str(value))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(found)


def merge(into: m.Dataset, part: m.Dataset) -> None:
    """Append one file's records to the data set, in file order."""
    for f in fields(m.Dataset):
        getattr(into, f.name).extend(getattr(part, f.name))


def parse_data(data_dir: Path, limits: Limits | None = None) -> tuple[m.Dataset, list[Problem]]:
    """Read every YAML file below `data_dir`; return the records and the problems found."""
    ds = m.Dataset()
    if not data_dir.is_dir():
        return ds, [Problem(Loc(str(data_dir), 0), "data folder not found")]
    files = data_files(data_dir)
    if not files:
        return ds, [Problem(Loc(str(data_dir), 0), "no .yaml files in the data folder")]
    problems: list[Problem] = []
    for path in files:
        part, found = parse_file(path, display_path(path), limits)
        merge(ds, part)
        problems += found
    return ds, problems


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

