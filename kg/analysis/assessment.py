"""Plan assessment: which principles and drivers a plan's measures serve, what is missing, and who filled it.

Cases for a missing driver are the practices tagged with it; for a missing principle, the practices
tagged with the factors and drivers the principle is curated as related to (skos:related). Cases
are ranked by how alike the practising municipality is to the plan's (population band, 65+ share).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from kg.analysis.records import AnalysisError, PlanRow
from kg.analysis.similarity import context_similarity, lead_municipality

if TYPE_CHECKING:
    from kg.adapter import Adapter

@dataclass
class Serving:
    """A measure that serves a principle or driver, with the tag's basis, rationale and quote."""

    measure: str
    name_ja: str
    name_en: str
    basis: str
    rationale: str
    quote: str


@dataclass
class Case:
    """A practice elsewhere that shows how a gap can be filled, and how alike its place is."""

    practice: str
    name_ja: str
    name_en: str
    initiative: str
    municipality_ja: str
    municipality_en: str
    via: str  # the code that links it to the gap, e.g. "driver:3"
    context: float  # 0..1
    quote: str


@dataclass
class Item:
    """One principle or driver: served by which measures, or missing with its pitfalls and cases."""

    scheme: str
    code: str
    label_ja: str
    label_en: str
    served_by: list[Serving] = field(default_factory=list)
    pitfalls: list[dict[str, str]] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    note: str = ""

    @property
    def covered(self) -> bool:
        return bool(self.served_by)


@dataclass
class Assessment:
    plan: str
    name_ja: str
    name_en: str
    municipality_ja: str
    municipality_en: str
    measures: int
    principles: list[Item]
    drivers: list[Item]

    def coverage(self, scheme: str) -> tuple[int, int]:
        items = self.principles if scheme == "principle" else self.drivers
        return sum(i.covered for i in items), len(items)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("principles", "drivers"):
            for item, src in zip(out[key], getattr(self, key), strict=True):
                item["covered"] = src.covered
        out["coverage"] = {k: dict(zip(("covered", "of"), self.coverage(k), strict=True))
                           for k in ("principle", "driver")}
        return out


def resolve_plan(graph: Adapter, query: str | None) -> PlanRow:
    """A plan by id, or by words of its name or its municipality's name; None means the graph's only plan."""
    plans = graph.extract.plans
    if not plans:
        raise AnalysisError("the graph holds no plan (dx:Plan): add one under plans: in data and rebuild")
    if query is None:
        if len(plans) == 1:
            return next(iter(plans.values()))
        known = "; ".join(f"{p.id} ({p.name.ja})" for p in sorted(plans.values(), key=lambda p: p.id))
        raise AnalysisError(f"the graph holds {len(plans)} plans; name one: {known}")
    return plans[graph.resolve(query, {"Plan"}, "plan").iri]


def assess(graph: Adapter, plan: str | None = None, cases: int = 3) -> Assessment:
    """Coverage of the principles and drivers by a plan's measures, with pitfalls and cases for each gap."""
    if cases < 0:
        raise AnalysisError(f"--cases must be 0 or more, not {cases}")
    ex = graph.extract
    p = resolve_plan(graph, plan)
    if not p.measures:
        raise AnalysisError(f"plan {p.id} has no measures to assess: add measures with principle and driver tags")
    home = ex.municipalities.get(p.municipality)
    served: dict[tuple[str, str], list[Serving]] = {}
    for me in p.measures:
        for t in me.tags:
            served.setdefault((t.scheme, t.code), []).append(
                Serving(me.id, me.name.ja, me.name.en, t.basis, t.rationale, t.quote or me.quote))

    def practices_with(scheme: str, code: str) -> list[Case]:
        found = []
        for pr in ex.practices.values():
            if any(t.scheme == scheme and t.code == code for t in pr.tags):
                init = ex.initiatives[pr.initiative]
                mu = lead_municipality(ex, init)
                pop, age = context_similarity(home, mu)
                found.append(Case(pr.id, pr.name.ja, pr.name.en, init.id, mu.name.ja if mu else "",
                                  mu.name.en if mu else "", f"{scheme}:{code}", (pop + age) / 2, pr.quote))
        return found

    def ranked(found: list[Case]) -> list[Case]:
        best: dict[str, Case] = {}
        for c in found:  # one row per practice, keeping its first link
            best.setdefault(c.practice, c)
        return sorted(best.values(), key=lambda c: (-c.context, c.practice))[:cases]

    principles = []
    for code in ex.codes("principle"):
        item = Item("principle", code, ex.label("principle", code, "ja"), ex.label("principle", code, "en"),
                    served.get(("principle", code), []))
        if not item.covered:
            item.pitfalls = [{"id": f.id, "name_ja": f.name.ja, "name_en": f.name.en,
                              "description_ja": f.description.ja, "description_en": f.description.en}
                             for f in ex.pitfalls if f.principle == code]
            links = ex.related_to(code)
            item.cases = ranked([c for s, k in links for c in practices_with(s, k)])
            if not links:
                item.note = "no factors or drivers are curated as related to this principle, so no cases are linked"
        principles.append(item)
    drivers = []
    for code in ex.codes("driver"):
        item = Item("driver", code, ex.label("driver", code, "ja"), ex.label("driver", code, "en"),
                    served.get(("driver", code), []))
        if not item.covered:
            item.cases = ranked(practices_with("driver", code))
            if not item.cases:
                item.note = "no practice in the graph is tagged with this driver"
        drivers.append(item)
    return Assessment(p.id, p.name.ja, p.name.en, home.name.ja if home else "", home.name.en if home else "",
                      len(p.measures), principles, drivers)
