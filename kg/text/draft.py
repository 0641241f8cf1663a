"""A draft in data/'s own YAML schema from a document's suggestions, for a curator to review.

Every quote is a verbatim slice of the document (line breaks inside it folded, which the quote
check ignores), every tag has `basis: suggested`, its score and its evidence sentence; what the
suggester cannot know (English names, the source's kind and reliability, an unknown municipality)
is a visible TODO, so a draft never passes for curated data by accident.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from kg import model as m
from kg.schema import pattern
from kg.text.document import Document
from kg.text.suggest import PassageSuggestion, Suggestion

TODO = "TODO"
PLACEHOLDER_MUNICIPALITY = "todo-municipality"
MAX_QUOTE = 150  # characters; data/README asks for short quotes
NAME_CHARS = 40


class DraftError(ValueError):
    """The draft cannot be written (a source id the schema refuses, nothing to write)."""


@dataclass(frozen=True)
class DraftOptions:
    as_plan: bool
    municipality: str  # an id of the data, or PLACEHOLDER_MUNICIPALITY
    source_id: str


def find_municipality(text: str, ds: m.Dataset) -> tuple[str | None, list[str]]:
    """The one municipality of the data the text names (Japanese or English name, or an alternative
    name), and every one it names; None when it names none or several."""
    named = []
    for x in ds.municipalities:
        names = {x.name.ja, *x.alt_names.ja}
        en = {x.name.en, *x.alt_names.en}
        if any(n and n in text for n in names) or any(re.search(rf"\b{re.escape(n)}\b", text) for n in en if n):
            named.append(x.id)
    return (named[0] if len(named) == 1 else None), named


def quote_of(text: str) -> str:
    """A verbatim excerpt for a quote: line breaks folded, cut to MAX_QUOTE at a comma where possible."""
    if len(text) > MAX_QUOTE:
        cut = max(text.rfind("、", 0, MAX_QUOTE), text.rfind("，", 0, MAX_QUOTE), text.rfind(", ", 0, MAX_QUOTE))
        text = text[:cut] if cut > MAX_QUOTE // 2 else text[:MAX_QUOTE]
    return re.sub(r"\s*\n\s*", lambda mo: _joiner(text, mo), text).strip()


def _joiner(text: str, mo: re.Match[str]) -> str:
    before = text[mo.start() - 1] if mo.start() else ""
    after = text[mo.end()] if mo.end() < len(text) else ""
    return " " if before.isascii() and after.isascii() and before.isalnum() and after.isalnum() else ""


def _name(text: str) -> str:
    flat = quote_of(text)
    return flat if len(flat) <= NAME_CHARS else flat[:NAME_CHARS - 1] + "…"


def _q(text: str) -> str:
    """A YAML scalar: JSON's double-quoted string is valid YAML and escapes everything that needs it."""
    return json.dumps(text, ensure_ascii=False)


def _slug(source_id: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", source_id.lower()).strip("-")
    return slug if slug and pattern("id").fullmatch(slug) else "draft"


def _taken(ds: m.Dataset) -> set[str]:
    ids = {i.id for i in ds.initiatives} | {p.id for i in ds.initiatives for p in i.practices}
    ids |= {p.id for p in ds.plans} | {me.id for p in ds.plans for me in p.measures}
    return ids


def _unique(base: str, taken: set[str]) -> str:
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    taken.add(out)
    return out


def _title(doc: Document) -> str:
    for line in doc.text.splitlines():
        stripped = line.strip().lstrip("#").strip()
        if stripped and any(ch.isalnum() for ch in stripped):
            return stripped[:80]
    return doc.source_id


def _tag_lines(s: Suggestion, indent: str, precedents: str) -> list[str]:
    return [f"{indent}- code: {_q(s.code) if s.scheme == 'factor' else s.code}",
            f"{indent}  basis: suggested",
            f"{indent}  score: {s.score:.2f}",
            f"{indent}  quote: {_q(quote_of(s.evidence.text))}",
            f"{indent}  rationale: {_q(f'dxkg suggest: {s.label_en}; nearest curated: {precedents}')}"]


def _item(ps: PassageSuggestion, item_id: str, schemes: tuple[str, ...], indent: str, line: int,
          section: str | None) -> list[str]:
    shown = ps.shown()
    lead = ps.passage.sentences[0]  # a passage opens with its heading or its main sentence
    near = ", ".join(p.id for p in ps.precedents) or "none"
    out = [f"{indent}- id: {item_id}",
           f"{indent}  # line {line}; review each tag: keep it as explicit/inferred (with a rationale, no score) "
           "or delete it",
           f"{indent}  name: {{ja: {_q(_name(lead.text))}, en: {_q(TODO + ': English name')}}}"]
    if section is not None:
        out.append(f"{indent}  section: {{ja: {_q(section)}, en: {_q(TODO + ': English section title')}}}")
    out.append(f"{indent}  quote: {_q(quote_of(lead.text))}")
    for p in ps.precedents:
        out.append(f"{indent}  # like {p.id} ({p.municipality}): {quote_of(p.quote)[:60]}")
    for scheme in schemes:
        tags = [s for s in shown if s.scheme == scheme]
        below = [s for s in ps.suggestions if s.scheme == scheme and not s.shown]
        if tags:
            out.append(f"{indent}  {scheme}s:")
            for s in tags:
                out += _tag_lines(s, indent + "    ", near)
        for s in below:
            out.append(f"{indent}  # below the threshold: {scheme} {s.code} {s.label_ja} ({s.score:.2f})")
    return out


def draft_yaml(doc: Document, results: list[PassageSuggestion], ds: m.Dataset, opts: DraftOptions) -> str:
    """The draft as YAML text (see the module docstring)."""
    if not pattern("sourceId").fullmatch(opts.source_id):
        raise DraftError(f"source id {opts.source_id!r} (the file name) must be ASCII letters, digits, '_', '.' "
                         "or '-': rename the file, or give --source-id")
    if not results:
        raise DraftError(f"{doc.path}: no passage to draft from")
    taken = _taken(ds)
    base = _slug(opts.source_id)
    title = _title(doc)
    kind = "plan" if opts.as_plan else "report"
    line_of = _line_numbers(doc.text)
    out = [f"# Draft by dxkg suggest from {doc.path.name} ({doc.encoding}). Every tag is basis: suggested with its",
           "# score and evidence quote: keep each (as explicit or inferred, with a rationale) or delete it, fill",
           f"# every {TODO}, then put {doc.path.name} in the sources folder and run: dxkg validate --sources DIR"]
    if opts.municipality == PLACEHOLDER_MUNICIPALITY:
        out.append(f"# {TODO}: the municipality is unknown: define it and replace {PLACEHOLDER_MUNICIPALITY}")
    out += ["sources:",
            f"  - id: {_q(opts.source_id)}",
            f"    title: {{ja: {_q(title)}, en: {_q(TODO + ': English title')}}}",
            f"    kind: {kind}            # {TODO}: check (report | inspection-report | article | plan)",
            f"    reliability: primary  # {TODO}: check (primary | secondary)", ""]
    first = results[0].passage.sentences[0].text
    if opts.as_plan:
        schemes = ("principle", "driver")
        plan_id = _unique(f"{base}-plan", taken)
        out += ["plans:",
                f"  - id: {plan_id}",
                f"    municipality: {opts.municipality}",
                f"    name: {{ja: {_q(title)}, en: {_q(TODO + ': English name')}}}",
                f"    source: {_q(opts.source_id)}",
                f"    quote: {_q(quote_of(first))}",
                "    measures:"]
        for n, ps in enumerate(results, 1):
            out += _item(ps, _unique(f"{plan_id}-m{n:03d}", taken), schemes, "      ",
                         line_of(ps.passage.start), ps.passage.section or None)
        return "\n".join(out) + "\n"
    schemes = ("factor", "driver")
    out.append("initiatives:")
    groups: dict[str, list[PassageSuggestion]] = {}
    for ps in results:
        groups.setdefault(ps.passage.section, []).append(ps)
    for k, (section, items) in enumerate(groups.items(), 1):
        ini = _unique(f"{base}-{k:02d}", taken)
        out += [f"  - id: {ini}",
                f"    municipalities: [{opts.municipality}]",
                f"    name: {{ja: {_q(section or title)}, en: {_q(TODO + ': English name')}}}",
                f"    source: {_q(opts.source_id)}",
                f"    quote: {_q(quote_of(items[0].passage.sentences[0].text))}",
                "    practices:"]
        for n, ps in enumerate(items, 1):
            out += _item(ps, _unique(f"{ini}-p{n:02d}", taken), schemes, "      ", line_of(ps.passage.start), None)
    return "\n".join(out) + "\n"


def _line_numbers(text: str) -> Callable[[int], int]:
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line_of(offset: int) -> int:
        import bisect

        return bisect.bisect_right(starts, offset)

    return line_of
