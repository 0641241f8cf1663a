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


def check_unique(ds: m.Dataset) -> list[Problem]:
    """Every id is defined once within its kind."""
    practices = [p for i in ds.initiatives for p in i.practices]
    outcomes = [o for i in ds.initiatives for o in i.outcomes]
    measures = [me for p in ds.plans for me in p.measures]
    guidance = [g for p in ds.principles for g in p.pitfalls + p.countermeasures]
    out = []
    out += _duplicates("source", ((s.id, s.loc) for s in ds.sources))
    out += _duplicates("prefecture", ((p.id, p.loc) for p in ds.prefectures))
    out += _duplicates("prefecture code", ((p.code, p.loc) for p in ds.prefectures))
    out += _duplicates("municipality", ((x.id, x.loc) for x in ds.municipalities))
    out += _duplicates("municipality code", ((x.code, x.loc.at("code")) for x in ds.municipalities))
    out += _duplicates("stakeholder", ((s.id, s.loc) for s in ds.stakeholders))
    out += _duplicates("resource", ((r.id, _owner(r.evidence.loc)) for r in ds.resources))
    out += _duplicates("risk", ((r.id, _owner(r.evidence.loc)) for p in ds.plans for r in p.risks))
    out += _duplicates("KPI", ((k.id, _owner(k.evidence.loc)) for p in ds.plans for k in p.kpis))
    out += _duplicates("budget item", ((b.id, _owner(b.evidence.loc)) for p in ds.plans for b in p.budget))
    out += _duplicates("initiative", ((i.id, _owner(i.evidence.loc)) for i in ds.initiatives))
    out += _duplicates("practice", ((p.id, _owner(p.evidence.loc)) for p in practices))
    out += _duplicates("outcome", ((o.id, _owner(o.evidence.loc)) for o in outcomes))
    out += _duplicates("plan", ((p.id, _owner(p.evidence.loc)) for p in ds.plans))
    out += _duplicates("measure", ((x.id, _owner(x.evidence.loc)) for x in measures))
    out += _duplicates("pitfall/countermeasure", ((g.id, _owner(g.evidence.loc)) for g in guidance))
    out += _duplicates("factor", ((f.code, _owner(f.evidence.loc)) for f in ds.factors))
    out += _duplicates("driver", ((d.code, _owner(d.evidence.loc)) for d in ds.drivers))
    out += _duplicates("principle", ((p.code, _owner(p.evidence.loc)) for p in ds.principles))
    out += _duplicates("value category", ((v.id, _owner(v.evidence.loc)) for v in ds.value_categories))
    for scheme in m.VOCAB_SCHEMES:
        out += _duplicates(scheme, ((v.id, v.loc) for v in ds.vocab if v.scheme == scheme))
    return out


def _owner(loc: Loc) -> Loc:
    """The location of the record an evidence location (…quote) belongs to."""
    return Loc(loc.file, loc.line, loc.field.removesuffix(".quote"))


def check_references(ds: m.Dataset) -> list[Problem]:
    """Every id a record refers to is defined, and each tag names a defined framework code."""
    known = {
        "source": {s.id for s in ds.sources},
        "prefecture": {p.id for p in ds.prefectures},
        "municipality": {x.id for x in ds.municipalities},
        "stakeholder": {s.id for s in ds.stakeholders},
        "resource": {r.id for r in ds.resources},
        "value category": {v.id for v in ds.value_categories},
        "factor": {f.code for f in ds.factors},
        "driver": {d.code for d in ds.drivers},
        "principle": {p.code for p in ds.principles},
        **{scheme: {v.id for v in ds.vocab if v.scheme == scheme} for scheme in m.VOCAB_SCHEMES},
    }
    out: list[Problem] = []

    def need(kind: str, ref: str | None, loc: Loc, field: str) -> None:
        if ref is not None and ref not in known[kind]:
            out.append(Problem(loc.at(field), f"undefined {kind.replace('_', ' ').rstrip('s')} {ref!r}"))

    for ev in ds.evidence():
        need("source", ev.source, _owner(ev.loc), "source")
    for x in ds.municipalities:
        need("prefecture", x.prefecture, x.loc, "prefecture")
    for s in ds.stakeholders:
        need("stakeholder_types", s.type, s.loc, "type")
        need("municipality", s.municipality, s.loc, "municipality")
    for r in ds.resources:
        loc = _owner(r.evidence.loc)
        need("resource_kinds", r.kind, loc, "kind")
        need("stakeholder", r.provider, loc, "provider")
    for i in ds.initiatives:
        loc = _owner(i.evidence.loc)
        for link in i.resources:
            need("resource", link.resource, _owner(link.evidence.loc), "resource")
        for ref in i.municipalities:
            need("municipality", ref, loc, "municipalities")
        need("prefecture", i.prefecture, loc, "prefecture")
        for ref in i.domains:
            need("domains", ref, loc, "domains")
        for ref in i.technologies:
            need("technologies", ref, loc, "technologies")
        for p in i.participations:
            need("stakeholder", p.stakeholder, _owner(p.evidence.loc), "stakeholder")
        for pr in i.practices:
            for t in pr.tags:
                need(t.scheme, t.code, t.loc, "code")
    for plan in ds.plans:
        need("municipality", plan.municipality, _owner(plan.evidence.loc), "municipality")
        measures = {me.id for me in plan.measures}
        for kpi in plan.kpis:
            if kpi.measure is not None and kpi.measure not in measures:
                out.append(Problem(_owner(kpi.evidence.loc).at("measure"),
                                   f"{kpi.measure!r} is not a measure of plan {plan.id!r}"))
        for me in plan.measures:
            for ref in me.domains:
                need("domains", ref, _owner(me.evidence.loc), "domains")
            for ref in me.technologies:
                need("technologies", ref, _owner(me.evidence.loc), "technologies")
            for t in me.tags:
                need(t.scheme, t.code, t.loc, "code")
    for principle in ds.principles:
        for t in principle.related:
            need(t.scheme, t.code, t.loc, "code")
    for d in ds.drivers:
        need("value category", d.value_category, _owner(d.evidence.loc), "value_category")
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


def check_quotes(ds: m.Dataset, sources_dir: Path) -> list[Problem]:
    """Every quote occurs verbatim (whitespace aside) in the text of its source."""
    texts = source_texts(sources_dir, {s.id for s in ds.sources})
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
