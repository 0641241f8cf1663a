"""Checks across the whole data set: unique ids, references that resolve, quotes found in sources."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from kg import model as m
from kg.load import Problem
from kg.yamlio import Loc

_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text without any whitespace: quotes are compared this way (extraction breaks lines freely)."""
    return _WS.sub("", text)


def _duplicates(kind: str, items: Iterable[tuple[str, Loc]]) -> list[Problem]:
    seen: dict[str, Loc] = {}
    out = []
    for key, loc in items:
        if key in seen:
            first = seen[key]
            out.append(Problem(loc, f"duplicate {kind} id {key!r} (first defined at {first.file}:{first.line})"))
        else:
            seen[key] = loc
    return out


def definitions(ds: m.Dataset) -> list[tuple[str, str, Loc]]:
    """Every id the data set defines, as (kind, id, where), kind by kind in the order problems are reported."""
    practices = [p for i in ds.initiatives for p in i.practices]
    outcomes = [o for i in ds.initiatives for o in i.outcomes]
    measures = [me for p in ds.plans for me in p.measures]
    guidance = [g for p in ds.principles for g in p.pitfalls + p.countermeasures]
    groups: list[tuple[str, Iterable[tuple[str, Loc]]]] = [
        ("source", ((s.id, s.loc) for s in ds.sources)),
        ("prefecture", ((p.id, p.loc) for p in ds.prefectures)),
        ("prefecture code", ((p.code, p.loc) for p in ds.prefectures)),
        ("municipality", ((x.id, x.loc) for x in ds.municipalities)),
        ("municipality code", ((x.code, x.loc.at("code")) for x in ds.municipalities)),
        ("stakeholder", ((s.id, s.loc) for s in ds.stakeholders)),
        ("resource", ((r.id, _owner(r.evidence)) for r in ds.resources)),
        ("risk", ((r.id, _owner(r.evidence)) for p in ds.plans for r in p.risks)),
        ("KPI", ((k.id, _owner(k.evidence)) for p in ds.plans for k in p.kpis)),
        ("budget item", ((b.id, _owner(b.evidence)) for p in ds.plans for b in p.budget)),
        ("initiative", ((i.id, _owner(i.evidence)) for i in ds.initiatives)),
        ("practice", ((p.id, _owner(p.evidence)) for p in practices)),
        ("outcome", ((o.id, _owner(o.evidence)) for o in outcomes)),
        ("plan", ((p.id, _owner(p.evidence)) for p in ds.plans)),
        ("measure", ((x.id, _owner(x.evidence)) for x in measures)),
        ("pitfall/countermeasure", ((g.id, _owner(g.evidence)) for g in guidance)),
        ("factor", ((f.code, _owner(f.evidence)) for f in ds.factors)),
        ("driver", ((d.code, _owner(d.evidence)) for d in ds.drivers)),
        ("principle", ((p.code, _owner(p.evidence)) for p in ds.principles)),
        ("value category", ((v.id, _owner(v.evidence)) for v in ds.value_categories)),
    ]
    for scheme in m.VOCAB_SCHEMES:
        groups.append((scheme, [(v.id, v.loc) for v in ds.vocab if v.scheme == scheme]))
    return [(kind, key, loc) for kind, items in groups for key, loc in items]


def check_unique(ds: m.Dataset) -> list[Problem]:
    """Every id is defined once within its kind."""
    by_kind: dict[str, list[tuple[str, Loc]]] = {}
    for kind, key, loc in definitions(ds):
        by_kind.setdefault(kind, []).append((key, loc))
    return [p for kind, items in by_kind.items() for p in _duplicates(kind, items)]


def _owner(ev: m.Evidence) -> Loc:
    """The location of the record a piece of evidence belongs to: at its id's line when it has one."""
    return Loc(ev.loc.file, ev.owner_line or ev.loc.line, ev.loc.field.removesuffix(".quote"))


# The kinds a reference can name, each with the kind of definition that satisfies it.
REFERENCE_KINDS = ("source", "prefecture", "municipality", "stakeholder", "resource", "value category", "factor",
                   "driver", "principle", *m.VOCAB_SCHEMES)
PLAN_MEASURE = "plan measure"  # a KPI's measure: one of its own plan's, named "<plan>/<measure>"


def known_ids(ds: m.Dataset) -> dict[str, set[str]]:
    """The ids a reference may name, by kind (from `definitions`, and each plan's own measures)."""
    known: dict[str, set[str]] = {kind: set() for kind in (*REFERENCE_KINDS, PLAN_MEASURE)}
    for kind, key, _ in definitions(ds):
        if kind in known:
            known[kind].add(key)
    known[PLAN_MEASURE] = {f"{plan.id}/{me.id}" for plan in ds.plans for me in plan.measures}
    return known


def references(ds: m.Dataset) -> list[tuple[str, str, Loc, str]]:
    """Every id the data set refers to, as (kind, id, owner's location, field), in the order problems are reported."""
    out: list[tuple[str, str, Loc, str]] = []

    def need(kind: str, ref: str | None, loc: Loc, field: str) -> None:
        if ref is not None:
            out.append((kind, ref, loc, field))

    for ev in ds.evidence():
        need("source", ev.source, _owner(ev), "source")
    for x in ds.municipalities:
        need("prefecture", x.prefecture, x.loc, "prefecture")
    for s in ds.stakeholders:
        need("stakeholder_types", s.type, s.loc, "type")
        need("municipality", s.municipality, s.loc, "municipality")
    for r in ds.resources:
        loc = _owner(r.evidence)
        need("resource_kinds", r.kind, loc, "kind")
        need("stakeholder", r.provider, loc, "provider")
    for i in ds.initiatives:
        loc = _owner(i.evidence)
        for link in i.resources:
            need("resource", link.resource, _owner(link.evidence), "resource")
        for ref in i.municipalities:
            need("municipality", ref, loc, "municipalities")
        need("prefecture", i.prefecture, loc, "prefecture")
        for ref in i.domains:
            need("domains", ref, loc, "domains")
        for ref in i.technologies:
            need("technologies", ref, loc, "technologies")
        for p in i.participations:
            need("stakeholder", p.stakeholder, _owner(p.evidence), "stakeholder")
        for pr in i.practices:
            for t in pr.tags:
                need(t.scheme, t.code, t.loc, "code")
    for plan in ds.plans:
        need("municipality", plan.municipality, _owner(plan.evidence), "municipality")
        for kpi in plan.kpis:
            if kpi.measure is not None:
                need(PLAN_MEASURE, f"{plan.id}/{kpi.measure}", _owner(kpi.evidence), "measure")
        for me in plan.measures:
            for ref in me.domains:
                need("domains", ref, _owner(me.evidence), "domains")
            for ref in me.technologies:
                need("technologies", ref, _owner(me.evidence), "technologies")
            for t in me.tags:
                need(t.scheme, t.code, t.loc, "code")
    for principle in ds.principles:
        for t in principle.related:
            need(t.scheme, t.code, t.loc, "code")
    for d in ds.drivers:
        need("value category", d.value_category, _owner(d.evidence), "value_category")
    return out


def check_references(ds: m.Dataset, known: dict[str, set[str]] | None = None) -> list[Problem]:
    """Every id a record refers to is defined, and each tag names a defined framework code.

    `known` (by kind) defaults to the ids `ds` defines; pass the whole data folder's to check part of it."""
    known = known_ids(ds) if known is None else known
    out = []
    for kind, ref, loc, field in references(ds):
        if ref in known.get(kind, ()):
            continue
        if kind == PLAN_MEASURE:
            plan, measure = ref.split("/", 1)
            out.append(Problem(loc.at(field), f"{measure!r} is not a measure of plan {plan!r}"))
        else:
            out.append(Problem(loc.at(field), f"undefined {kind.replace('_', ' ').rstrip('s')} {ref!r}"))
    return out


SOURCE_SUFFIXES = (".txt", ".md", ".pdf")


def source_texts(sources_dir: Path, ids: Iterable[str]) -> dict[str, str]:
    """The squashed text of each source found in `sources_dir` as `<id>.txt`, `.md` or `.pdf`, read as
    `dxkg suggest` reads it (encoding detected, a PDF's text layer), so its quotes are found again."""
    from kg.text.document import DocumentError, read_document

    texts = {}
    for sid in ids:
        for suffix in SOURCE_SUFFIXES:
            path = sources_dir / f"{sid}{suffix}"
            if path.is_file():
                try:
                    texts[sid] = squash(read_document(path).text)
                except DocumentError:
                    continue
                break
    return texts


def source_digest(sources_dir: Path, sid: str) -> str:
    """What a quote check of source `sid` depends on: the bytes of each candidate text file (empty: none)."""
    import hashlib

    digest = hashlib.sha256()
    for suffix in SOURCE_SUFFIXES:
        path = sources_dir / f"{sid}{suffix}"
        if path.is_file():
            digest.update(suffix.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def check_quotes(ds: m.Dataset, sources_dir: Path, texts: dict[str, str] | None = None) -> list[Problem]:
    """Every quote occurs verbatim (whitespace aside) in the text of its source.

    `texts` (squashed, by source id; default: those of the sources `ds` defines) lets one data file be
    checked against the texts of sources another file defines."""
    texts = source_texts(sources_dir, {s.id for s in ds.sources}) if texts is None else texts
    out = []
    for s in ds.sources:
        if s.id not in texts:
            out.append(Problem(s.loc.at("id"), f"source text {s.id}.txt (or .md, .pdf) not found in {sources_dir}"))
    for ev in ds.evidence():
        text = texts.get(ev.source)
        if text is not None and squash(ev.quote) not in text:
            shown = ev.quote if len(ev.quote) <= 60 else ev.quote[:57] + "…"
            out.append(Problem(ev.loc, f"quote not found verbatim in source {ev.source}: {shown!r}"))
    return out
