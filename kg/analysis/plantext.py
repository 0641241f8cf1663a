"""A plan that is not in the graph, read from its text: `dxkg assess --text PLAN_FILE`.

The measures are the passages kg.text finds describing something done or planned; each is mapped
to principles and drivers by the suggester (basis `suggested`, with its score and the sentence that
shows it, verbatim). The result is a `PlanInput`, assessed exactly as a plan of the graph is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.analysis.assessment import PlanInput
from kg.analysis.records import AnalysisError, Extract, Label, MeasureRow, MunicipalityRow, TagRow
from kg.analysis.words import query_of_terms

if TYPE_CHECKING:
    from kg.adapter import Adapter
    from kg.text.document import Document
    from kg.text.suggest import Suggester

NAME_CHARS = 40


def find_town(ex: Extract, text: str) -> tuple[MunicipalityRow | None, dict[str, int]]:
    """The municipality of the graph the text names most often (Japanese name, or English as a word),
    and how often it names each; None when it names none, or two or more equally often."""
    counts: dict[str, int] = {}
    for m in ex.municipalities.values():
        n = text.count(m.name.ja) if m.name.ja else 0
        if m.name.en:
            n += len(re.findall(rf"\b{re.escape(m.name.en)}\b", text))
        if n:
            counts[m.iri] = n
    if not counts:
        return None, {}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    named = {ex.municipalities[k].id: v for k, v in ranked}
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, named
    return ex.municipalities[ranked[0][0]], named


def plan_from_text(graph: Adapter, doc: Document, suggester: Suggester, town: MunicipalityRow | None,
                   town_basis: str = "given", town_named: dict[str, int] | None = None) -> PlanInput:
    """The plan a document describes: one measure per passage that describes something done or planned,
    with the principles and drivers suggested at or above their thresholds."""
    from kg.text.draft import quote_of

    passages = suggester.find_measures(doc.text)
    if not passages:
        raise AnalysisError(f"{doc.path}: no sentence the engine can use (no passage describes something done "
                            "or planned)")
    measures, words, terms = [], {}, {}
    for n, p in enumerate(passages, 1):
        ps = suggester.suggest_passage(p, ("principle", "driver"), top=3, precedents=0, kind="measure")
        lead = quote_of(p.sentences[0].text)
        name = lead if len(lead) <= NAME_CHARS else lead[:NAME_CHARS - 1] + "…"
        ident = f"m{n:03d}"
        tags = [TagRow(s.scheme, s.code, "suggested", doc.source_id, s.score,
                       f"dxkg suggest: {s.label_en}", quote_of(s.evidence.text)) for s in ps.shown()]
        measures.append(MeasureRow(f"{doc.path.name}#{ident}", ident, Label(name, ""), lead, tags,
                                   Label(p.section, "")))
        q = query_of_terms(graph.index, suggester.tok.terms(p.text))
        words[ident], terms[ident] = q, set(q.ix.tolist())
    title = next((ln.strip().lstrip("#").strip() for ln in doc.text.splitlines() if ln.strip()), doc.source_id)
    return PlanInput(doc.source_id, Label(title[:80], ""), town, measures, [], words, terms, str(doc.path),
                     town_basis, town_named or {})
