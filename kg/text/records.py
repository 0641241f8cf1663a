"""What the suggester learns from, as plain records: curated practices and measures with their tags,
and the framework's own words for each code.

`training_set(ds)` makes them from a checked `kg.model.Dataset`; anything else that can fill
these records (the built graph, a synthetic set) can train the suggester the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg import model as m

SCHEMES = ("factor", "driver", "principle")


@dataclass(frozen=True)
class Label:
    """One curated tag: scheme (factor|driver|principle), code, basis (explicit|inferred|suggested)."""

    scheme: str
    code: str
    basis: str


@dataclass(frozen=True)
class Example:
    """A curated practice or planned measure, as the suggester sees it.

    `text` is everything curated about it (Japanese and English names, descriptions, quotes);
    `quote` is its verbatim source excerpt alone: what a new document would show.
    """

    id: str
    kind: str  # practice | measure
    name_ja: str
    name_en: str
    text: str
    quote: str
    source: str
    tags: tuple[Label, ...]
    case_file: str  # the data file it comes from: the unit held out in evaluation
    municipality: str  # municipality id(s), comma-separated; a prefecture id when none is named

    def codes(self, scheme: str, bases: tuple[str, ...] = ("explicit", "inferred")) -> set[str]:
        return {t.code for t in self.tags if t.scheme == scheme and t.basis in bases}


@dataclass(frozen=True)
class Definition:
    """The framework's words for one code: name, definition and, for a principle, its pitfalls and
    countermeasures; `related` are the factors and drivers a principle is curated as corresponding to."""

    scheme: str
    code: str
    name_ja: str
    name_en: str
    text: str
    related: tuple[tuple[str, str], ...] = ()


@dataclass
class TrainingSet:
    examples: list[Example] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)

    def codes(self, scheme: str) -> list[str]:
        """The codes of a scheme, in framework order."""
        return [d.code for d in self.definitions if d.scheme == scheme]

    def label(self, scheme: str, code: str, lang: str = "ja") -> str:
        for d in self.definitions:
            if d.scheme == scheme and d.code == code:
                return d.name_ja if lang == "ja" else d.name_en
        return code

    def without(self, case_file: str) -> TrainingSet:
        """The same set less the examples of one case file (for leave-one-case-out evaluation)."""
        return TrainingSet([e for e in self.examples if e.case_file != case_file], self.definitions)


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _texts(t: m.Text | None) -> tuple[str | None, str | None]:
    return (t.ja, t.en) if t else (None, None)


def training_set(ds: m.Dataset) -> TrainingSet:
    """Training records from curated data: every tagged practice and measure, and the framework."""
    out = TrainingSet()
    for d in ds.factors:
        out.definitions.append(Definition("factor", d.code, d.name.ja, d.name.en,
                                          _join(d.name.ja, d.definition.ja, d.name.en, d.definition.en)))
    categories = {v.id: v.name for v in ds.value_categories}
    for dr in ds.drivers:
        cat = categories.get(dr.value_category)
        out.definitions.append(Definition("driver", dr.code, dr.name.ja, dr.name.en, _join(
            dr.name.ja, dr.definition.ja, cat.ja if cat else None, dr.name.en, dr.definition.en)))
    for p in ds.principles:
        guidance = [_join(g.name.ja, _texts(g.description)[0], g.name.en) for g in p.pitfalls + p.countermeasures]
        out.definitions.append(Definition(
            "principle", p.code, p.name.ja, p.name.en,
            _join(p.name.ja, p.definition.ja, p.name.en, p.definition.en, *guidance),
            tuple((t.scheme, t.code) for t in p.related),
        ))
    for i in ds.initiatives:
        muni = ",".join(i.municipalities) or (i.prefecture or "")
        for pr in i.practices:
            if pr.tags:
                out.examples.append(_example(pr.id, "practice", pr.name, pr.description, pr.evidence, pr.tags, muni))
    for plan in ds.plans:
        for me in plan.measures:
            if me.tags:
                out.examples.append(_example(me.id, "measure", me.name, me.description, me.evidence, me.tags,
                                             plan.municipality))
    return out


def _example(id_: str, kind: str, name: m.Text, description: m.Text | None, ev: m.Evidence,
             tags: list[m.Tag], muni: str) -> Example:
    desc_ja, desc_en = _texts(description)
    tag_quotes = sorted({t.evidence.quote for t in tags if t.evidence is not ev and t.evidence.quote != ev.quote})
    text = _join(name.ja, desc_ja, ev.quote, *tag_quotes, name.en, desc_en)
    labels = tuple(sorted({Label(t.scheme, t.code, t.basis) for t in tags},
                          key=lambda x: (x.scheme, x.code.zfill(2), x.basis)))
    return Example(id_, kind, name.ja, name.en, text, ev.quote, ev.source, labels, Path(ev.loc.file).stem, muni)
