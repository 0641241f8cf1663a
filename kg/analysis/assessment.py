"""Plan assessment, read as the plan's own planner would: what serves each principle and driver and how
strongly, which pitfalls the plan is exposed to, whom to call for each measure, which towns are like
this one and what they did that the plan lacks, and the next actions with a case that did each.

The rules (also in `Assessment.rules`, so every report states them):

- Strength of a principle or driver: each measure serving it adds points by the link's basis
  (explicit 2, inferred 1, suggested 0.5); 3 points or more is strong, fewer is weak (a risk, not a
  tick), none is missing.
- A pitfall (or a countermeasure) is addressed by plan text (a measure, or a risk's response) that
  shares at least two telling words of its name (each used by fewer than 15 % of the documents of
  the graph: kg.analysis.words.speaks_to); otherwise the plan is exposed to it. A word match, for
  the planner to check, not a judgement.
- Cases for a missing principle or driver: the counted practices tagged with it (for a principle, with
  the factors and drivers it is curated as corresponding to), towns most like the plan's first.
- For each measure: the initiatives elsewhere most like it (kg.analysis.similarity) scoring at least
  0.05, with their outcomes and quote.
- Peers: municipalities with counted cases, by |log10 population ratio| + |65+ share difference| / 0.1;
  what each did that the plan lacks: practices with a driver the plan misses or serves weakly, or a
  factor of a principle it misses or serves weakly, and initiatives in a domain no measure has.
- Next actions: the countermeasures of 002 (回避するための対応例) that the plan does not yet speak to, for
  a principle that is missing or weak or whose related drivers and factors are, each with the counted
  practice (tagged with the principle's related codes) whose words are closest to it; ranked by the
  gap (missing before weak), the principle's exposed pitfalls (more first), how alike the case's town
  is, and the word match.

Which cases count: `min_reliability` (default primary) and `include_suggested` (curated tags with basis
suggested; the links of a plan read from text are suggested by nature and always count).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from kg.analysis.records import AnalysisError, Extract, Label, MeasureRow, MunicipalityRow, PlanRow, RiskRow
from kg.analysis.similarity import RELIABILITY, Scorer, check_reliability, context_similarity, measure_row_spec
from kg.analysis.words import Query, cosine, query_of_row, row_of, row_terms, speaks_to

if TYPE_CHECKING:
    from kg.adapter import Adapter

BASIS_POINTS = {"explicit": 2.0, "inferred": 1.0, "suggested": 0.5}
STRONG = 3.0  # points at or above which a principle or driver is strongly served
CASE_FLOOR = 0.08  # the least word match (cosine) for a practice to count as having done a countermeasure
PEER_AGEING_STEP = 0.10  # a 10-point difference of the 65+ share weighs as much as a tenfold population
ACTIONS = 5
PEERS = 3
PEER_ITEMS = 3
MENTIONS = 2
LEAD_FLOOR = 0.05  # a similar initiative scoring less is too far from the measure to be worth a call
STRENGTHS = ("strong", "weak", "missing")


@dataclass
class Serving:
    """A measure that serves a principle or driver: its plan name and section, the link's basis,
    rationale and quote (and score, for a suggested link)."""

    measure: str
    name_ja: str
    name_en: str
    basis: str
    rationale: str
    quote: str
    section_ja: str = ""
    section_en: str = ""
    score: float | None = None


@dataclass
class Case:
    """A practice elsewhere that shows how a gap can be filled, with its town's size and ageing."""

    practice: str
    name_ja: str
    name_en: str
    initiative: str
    municipality_ja: str
    municipality_en: str
    via: str  # the code that links it to the gap, e.g. "driver:3"
    context: float  # 0..1, over the parts known (see context_unknown)
    quote: str
    population: int | None = None
    ageing: float | None = None
    context_unknown: list[str] = field(default_factory=list)  # population, ageing: not known for its town
    source: str = ""


@dataclass
class Mention:
    """Plan text that speaks to a pitfall or a countermeasure (a word match: see the module docstring)."""

    kind: str  # measure | risk
    id: str
    name_ja: str
    name_en: str
    quote: str
    words: list[str]
    score: float


@dataclass
class PitfallCheck:
    id: str
    name_ja: str
    name_en: str
    description_ja: str
    description_en: str
    addressed_by: list[Mention] = field(default_factory=list)
    addressed_more: int = 0  # further plan text that matches, not listed

    @property
    def exposed(self) -> bool:
        return not self.addressed_by


@dataclass
class Item:
    """One principle or driver: the measures serving it, its strength, its pitfalls (a principle's) with
    the plan's exposure, its countermeasures already in the plan, and cases when it is missing."""

    scheme: str
    code: str
    label_ja: str
    label_en: str
    served_by: list[Serving] = field(default_factory=list)
    pitfalls: list[dict[str, str]] = field(default_factory=list)  # a missing principle's pitfalls
    cases: list[Case] = field(default_factory=list)  # for a missing principle or driver
    note: str = ""
    strength: str = "missing"
    points: float = 0.0
    checklist: list[PitfallCheck] = field(default_factory=list)
    countermeasures: list[dict[str, Any]] = field(default_factory=list)  # id, names, in_plan: [Mention]
    related: list[dict[str, str]] = field(default_factory=list)  # a principle's related codes and their strength
    cases_left_out: int = 0

    @property
    def covered(self) -> bool:
        return bool(self.served_by)


@dataclass
class Outcome:
    indicator_ja: str
    indicator_en: str
    value: float
    unit: str
    qualifier: str
    date: str
    quote: str


@dataclass
class Lead:
    """An initiative elsewhere like a measure: who to call, what it achieved, in its source's words."""

    initiative: str
    name_ja: str
    name_en: str
    municipalities_ja: list[str]
    municipalities_en: list[str]
    score: float
    words: list[str]
    shared: dict[str, list[str]]
    unknown: list[str]
    outcomes: list[Outcome]
    quote: str
    source: str


@dataclass
class MeasureReport:
    id: str
    name_ja: str
    name_en: str
    section_ja: str
    section_en: str
    quote: str
    tags: list[dict[str, Any]]
    leads: list[Lead] = field(default_factory=list)
    left_out: int = 0


@dataclass
class PeerItem:
    """An initiative of a peer municipality and what it has that the plan lacks."""

    initiative: str
    name_ja: str
    name_en: str
    # each: why (driver:6 | principle:3 | domain:forestry | technology:lpwa), strength (the plan's: missing,
    # weak; "none" for a domain or technology no measure has), practice (the practice that shows it, if any)
    reasons: list[dict[str, str]]
    quote: str


@dataclass
class Peer:
    municipality: str
    name_ja: str
    name_en: str
    population: int | None
    ageing: float | None
    distance: float
    items: list[PeerItem] = field(default_factory=list)
    left_out: int = 0


@dataclass
class Action:
    rank: int
    countermeasure: str
    name_ja: str
    name_en: str
    description_ja: str
    description_en: str
    principle: str
    gap: str  # e.g. "driver:8"
    gap_strength: str  # missing | weak
    exposed_pitfalls: int
    case: Case
    match: float
    words: list[str]


@dataclass
class SourceNote:
    id: str
    title_ja: str
    title_en: str
    reliability: str
    counted: bool


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
    population: int | None = None
    ageing: float | None = None
    ageing_qualifier: str = ""  # more-than, approximately …: how the source bounds the 65+ share
    from_text: str = ""  # the file a plan was read from (dxkg assess --text)
    measure_reports: list[MeasureReport] = field(default_factory=list)
    peers: list[Peer] = field(default_factory=list)
    peers_not_ranked: list[dict[str, str]] = field(default_factory=list)  # id, name_ja, name_en: population unknown
    peers_left_out: int = 0
    actions: list[Action] = field(default_factory=list)
    actions_left_out: int = 0
    sources: list[SourceNote] = field(default_factory=list)
    min_reliability: str = "primary"
    include_suggested: bool = False
    rules: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # "driver:6", "domain:forestry" -> ja, en
    town_basis: str = "plan"  # plan (the graph's plan names it) | given | named (in the text) | unknown | ambiguous
    town_named: dict[str, int] = field(default_factory=dict)  # municipality id -> times a text names it

    def coverage(self, scheme: str) -> tuple[int, int]:
        """(served at all, of) for a scheme: principle or driver."""
        items = self.principles if scheme == "principle" else self.drivers
        return sum(i.covered for i in items), len(items)

    def strengths(self, scheme: str) -> dict[str, int]:
        items = self.principles if scheme == "principle" else self.drivers
        return {s: sum(i.strength == s for i in items) for s in STRENGTHS}

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("principles", "drivers"):
            for item, src in zip(out[key], getattr(self, key), strict=True):
                item["covered"] = src.covered
                for check, c in zip(item["checklist"], src.checklist, strict=True):
                    check["exposed"] = c.exposed
        out["coverage"] = {k: {**dict(zip(("covered", "of"), self.coverage(k), strict=True)), **self.strengths(k)}
                           for k in ("principle", "driver")}
        return out


# ---------------------------------------------------------------- the plan, from the graph or from a text


@dataclass
class PlanInput:
    """What is assessed: a plan of the graph, or one read from a document (kg.analysis.plantext)."""

    id: str
    name: Label
    town: MunicipalityRow | None
    measures: list[MeasureRow]
    risks: list[RiskRow] = field(default_factory=list)
    words: dict[str, Query] = field(default_factory=dict)  # measure id -> its words (text plans)
    terms: dict[str, set[int]] = field(default_factory=dict)  # measure or risk id -> its word positions
    from_text: str = ""
    town_basis: str = "plan"
    town_named: dict[str, int] = field(default_factory=dict)


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


def graph_plan(graph: Adapter, p: PlanRow) -> PlanInput:
    """A plan of the graph, its measures' and risks' words from the analysis index."""
    ix = graph.index
    terms: dict[str, set[int]] = {}
    for collection, rows in (("measure", p.measures), ("risk", p.risks)):
        for r in rows:
            k = row_of(ix, collection, r.id)
            terms[r.id] = row_terms(ix, collection, k) if k is not None else set()
    return PlanInput(p.id, p.name, graph.extract.municipalities.get(p.municipality), p.measures, p.risks, {}, terms)


# ---------------------------------------------------------------- the assessment


def assess(graph: Adapter, plan: str | None = None, cases: int = 3, *, min_reliability: str = "primary",
           include_suggested: bool = False) -> Assessment:
    """Assess a plan of the graph (by id or name; None: the only plan). See the module docstring."""
    p = resolve_plan(graph, plan)
    if not p.measures:
        raise AnalysisError(f"plan {p.id} has no measures to assess: add measures with principle and driver tags")
    return assess_input(graph, graph_plan(graph, p), cases, min_reliability=min_reliability,
                        include_suggested=include_suggested)


def assess_input(graph: Adapter, plan: PlanInput, cases: int = 3, *, min_reliability: str = "primary",
                 include_suggested: bool = False) -> Assessment:
    """Assess a plan given as a PlanInput (a plan of the graph, or one read from a text)."""
    if cases < 0:
        raise AnalysisError(f"--cases must be 0 or more, not {cases}")
    check_reliability(min_reliability)
    ex = graph.extract
    if not plan.measures:
        raise AnalysisError(f"plan {plan.id} has no measures to assess")
    bases = ("explicit", "inferred", "suggested") if include_suggested or plan.from_text else ("explicit", "inferred")
    counted = _counted_sources(ex, min_reliability)
    home = plan.town

    items = {s: [_item(ex, plan, s, code, bases) for code in ex.codes(s)] for s in ("principle", "driver")}
    status = {(it.scheme, it.code): it.strength for s in items for it in items[s]}
    for it in items["principle"]:
        it.related = [{"scheme": s, "code": c, "strength": _status_of(status, s, c)} for s, c in ex.related_to(it.code)]
        it.checklist = _checklist(graph, plan, it.code)
        it.countermeasures = _countermeasures_in_plan(graph, plan, it)
    tagged = _tagged(ex, home, bases, counted)
    for it in items["principle"] + items["driver"]:
        if it.strength == "missing":
            links = [(it.scheme, it.code)] if it.scheme == "driver" else ex.related_to(it.code)
            found = _cases(ex, home, links, tagged)
            it.cases, it.cases_left_out = found[:cases], max(0, len(found) - cases)
            if it.scheme == "principle":
                it.pitfalls = [{"id": f.id, "name_ja": f.name.ja, "name_en": f.name.en,
                                "description_ja": f.description.ja, "description_en": f.description.en}
                               for f in ex.pitfalls if f.principle == it.code]
            if not found:
                it.note = ("no factors or drivers are curated as related to this principle, so no cases are linked"
                           if it.scheme == "principle" and not links else
                           "no counted practice in the graph is tagged with it")

    scorer = Scorer(graph, None, min_reliability, include_suggested)
    reports = [_measure_report(graph, scorer, plan, me, bases, cases) for me in plan.measures]
    peers, unranked = _peers(ex, home, status, plan, bases, counted)
    actions = _actions(graph, plan, items["principle"], status, bases, counted)
    sources = [SourceNote(s.id, s.title.ja, s.title.en, s.reliability, s.id in counted)
               for s in sorted(ex.sources.values(), key=lambda s: s.id)]
    return Assessment(plan.id, plan.name.ja, plan.name.en, home.name.ja if home else "", home.name.en if home else "",
                      len(plan.measures), items["principle"], items["driver"],
                      home.population if home else None, home.ageing if home else None,
                      _ageing_qualifier(graph, home), plan.from_text,
                      reports, peers[:PEERS], unranked, max(0, len(peers) - PEERS), actions[:ACTIONS],
                      max(0, len(actions) - ACTIONS), sources,
                      min_reliability, include_suggested, rules(),
                      {f"{c.scheme}:{c.code}": {"ja": c.name.ja, "en": c.name.en} for c in ex.concepts},
                      plan.town_basis, plan.town_named)


def rules() -> dict[str, dict[str, str]]:
    """The rules the report applies, in both languages (see the module docstring)."""
    pts = BASIS_POINTS
    return {
        "strength": {
            "ja": f"強さ: 施策ごとに根拠の点数（明示 {pts['explicit']:g}・推定 {pts['inferred']:g}・提案 "
                  f"{pts['suggested']:g}）を合計し、{STRONG:g} 点以上は「強」、"
                  "それ未満は「弱」（リスク）、0 は「不足」。",
            "en": f"Strength: each serving measure adds points by its link's basis (explicit {pts['explicit']:g}, "
                  f"inferred {pts['inferred']:g}, suggested {pts['suggested']:g}); {STRONG:g} or more is strong, "
                  "fewer is weak (a risk), none is missing."},
        "pitfalls": {
            "ja": "落とし穴・対応例への言及: 計画の施策かリスク対応の記述が、その名称の特徴的な語"
                  "（グラフの文書の15%未満しか使わない語）を2語以上含むとき「記述あり」、なければ「露出」。"
                  "語の一致であり、計画担当者が確認してください。",
            "en": "A pitfall or countermeasure is addressed when a measure or a risk's response shares at least two "
                  "telling words of its name (each used by fewer than 15% of the documents of the graph), else "
                  "the plan is exposed to it: a word match to check, not a judgement."},
        "leads": {
            "ja": "類似事例: 名称・説明・取組・引用の語（tf-idf のコサイン）と分野・技術の重なりで何の事例かを測り、"
                  "ドライバー・関係者・人口規模・高齢化率で順位を補正（スコア = 主題 ×（1 + その他）/ 2）。"
                  "不明な項目は「不明」と示し、その項目の平均値で数える。類似度 0.05 未満は示さない。",
            "en": "Similar initiatives: what they are (words of names, descriptions, practices and quotes by tf-idf "
                  "cosine; shared domains and technologies) scores first, raised by drivers, factors, "
                  "stakeholders, population and ageing (score = subject × (1 + other) / 2); a part not known "
                  "is named and counts as its average. Initiatives scoring under 0.05 are not listed."},
        "peers": {
            "ja": "類似自治体: 事例のある自治体を |人口比の常用対数| + |65歳以上割合の差| / "
                  f"{PEER_AGEING_STEP:g} の小さい順に並べる（人口不明の自治体は順位付けしない）。"
                  "計画にないもの: 計画で不足・弱いドライバー、"
                  "不足・弱い原則に対応する成功要因の取組、計画に施策のない分野の事例。",
            "en": "Peer municipalities: those with cases, by |log10 of the population ratio| + |difference of the "
                  f"65+ shares| / {PEER_AGEING_STEP:g}, nearest first (population unknown: not ranked). What the "
                  "plan lacks: practices with a driver the plan misses or serves weakly, or a factor of such a "
                  "principle, and initiatives in a domain no measure has."},
        "actions": {
            "ja": "次の一手: 計画がまだ言及していない 002 の回避するための対応例のうち、"
                  "原則かその対応するドライバー・成功要因が不足・弱いもの。各々に、その原則に対応するコードを持ち"
                  "語が最も近い事例を付す。順位: 不足が弱より先、"
                  "原則の露出した落とし穴が多い順、事例の自治体が計画の自治体に近い順、語の一致の高い順。",
            "en": "Next actions: the countermeasures of 002 the plan does not yet speak to, for a principle that is "
                  "missing or weak or whose related drivers and factors are, each with the case (a practice "
                  "tagged with the principle's related codes) whose words are closest to it. Ranked: missing "
                  "before weak, then more exposed pitfalls of the principle, then the case's town more like the "
                  "plan's, then the closer word match."},
    }


def _ageing_qualifier(graph: Adapter, town: MunicipalityRow | None) -> str:
    """How the source bounds the town's stated 65+ share (「50%を超える」: more-than); "" when it
    states none. Read here because the analysis rows do not carry it."""
    if town is None or town.ageing is None:
        return ""
    from kg.analysis.records import _qualifier
    from kg.sparql import select

    found = [sol["q"].value for sol in select(graph.store, f"""
        SELECT ?q WHERE {{ <{town.iri}> dx:figure ?f . ?f dx:figureKind "ageing-rate-percent" ;
          dx:qualifier ?q }}""")]
    return _qualifier(sorted(found)[-1]) if found else ""


def _counted_sources(ex: Extract, min_reliability: str) -> set[str]:
    allowed = RELIABILITY[:RELIABILITY.index(min_reliability) + 1]
    return {s.id for s in ex.sources.values() if s.reliability in allowed}


def _status_of(status: dict[tuple[str, str], str], scheme: str, code: str) -> str:
    return status.get((scheme, code), "n/a")  # factors are not assessed in a plan


def _item(ex: Extract, plan: PlanInput, scheme: str, code: str, bases: tuple[str, ...]) -> Item:
    it = Item(scheme, code, ex.label(scheme, code, "ja"), ex.label(scheme, code, "en"))
    best: dict[str, float] = {}
    for me in plan.measures:
        for t in me.tags:
            if t.scheme == scheme and t.code == code and t.basis in bases:
                it.served_by.append(Serving(me.id, me.name.ja, me.name.en, t.basis, t.rationale, t.quote or me.quote,
                                            me.section.ja, me.section.en, t.score))
                best[me.id] = max(best.get(me.id, 0.0), BASIS_POINTS.get(t.basis, 0.0))
    it.points = sum(best.values())
    it.strength = "strong" if it.points >= STRONG else "weak" if it.points > 0 else "missing"
    return it


def _plan_docs(plan: PlanInput) -> list[tuple[str, str, Label, str]]:
    """(kind, id, name, quote) of the plan's measures and risks: the text a pitfall is looked for in."""
    out = [("measure", m.id, m.name, m.quote) for m in plan.measures]
    out += [("risk", r.id, r.name, r.quote) for r in plan.risks]
    return out


def _mentions(graph: Adapter, plan: PlanInput, collection: str, ident: str, full: str) -> list[Mention]:
    """The plan text that speaks to a pitfall or countermeasure (by its name's words), best first (all
    of it: the caller lists MENTIONS and counts the rest)."""
    ix = graph.index
    k = row_of(ix, f"{collection}_name", ident)
    if k is None:
        return []
    name_words = row_terms(ix, f"{collection}_name", k)
    full_row = row_of(ix, full, ident)
    q = query_of_row(ix, full, full_row) if full_row is not None else None
    found = []
    for kind, did, name, quote in _plan_docs(plan):
        words = speaks_to(ix, name_words, plan.terms.get(did, set()))
        if words:
            score = _doc_cosine(graph, plan, kind, did, q) if q is not None else 0.0
            found.append(Mention(kind, did, name.ja, name.en, quote, words, round(score, 4)))
    found.sort(key=lambda m: (-len(m.words), -m.score, m.id))
    return found


def _doc_cosine(graph: Adapter, plan: PlanInput, kind: str, ident: str, q: Query) -> float:
    """Cosine of a pitfall's or countermeasure's words with one measure or risk of the plan."""
    import numpy as np

    ix = graph.index
    if ident in plan.words:  # a measure read from a text
        from kg.analysis.words import cosine_vector

        return float(cosine_vector(ix, plan.words[ident]) @ cosine_vector(ix, q))
    k = row_of(ix, kind, ident)
    if k is None:
        return 0.0
    s = cosine(ix, kind, q)
    return float(s[k]) if len(s) > k else float(np.float64(0))


def _checklist(graph: Adapter, plan: PlanInput, principle: str) -> list[PitfallCheck]:
    ex = graph.extract
    out = []
    for f in sorted(ex.pitfalls, key=lambda f: f.id):
        if f.principle == principle:
            found = _mentions(graph, plan, "pitfall", f.id, "pitfall")
            out.append(PitfallCheck(f.id, f.name.ja, f.name.en, f.description.ja, f.description.en,
                                    found[:MENTIONS], max(0, len(found) - MENTIONS)))
    return out


def _countermeasures_in_plan(graph: Adapter, plan: PlanInput, it: Item) -> list[dict[str, Any]]:
    ex = graph.extract
    out = []
    for c in sorted(ex.countermeasures, key=lambda c: c.id):
        if c.principle == it.code:
            found = _mentions(graph, plan, "counter", c.id, "counter")
            out.append({"id": c.id, "name_ja": c.name.ja, "name_en": c.name.en,
                        "in_plan": [asdict(m) for m in found[:MENTIONS]],
                        "in_plan_more": max(0, len(found) - MENTIONS)})
    return out


def _town(ex: Extract, initiative_iri: str) -> MunicipalityRow | None:
    i = ex.initiatives.get(initiative_iri)
    return next((ex.municipalities[m] for m in i.municipalities if m in ex.municipalities), None) if i else None


def _case(ex: Extract, home: MunicipalityRow | None, practice_iri: str, via: str) -> Case:
    pr = ex.practices[practice_iri]
    init = ex.initiatives[pr.initiative]
    mu = _town(ex, pr.initiative)
    pop, age = context_similarity(home, mu)
    known = [x for x in (pop, age) if x is not None]
    unknown = [name for name, x in (("population", pop), ("ageing", age)) if x is None]
    return Case(pr.id, pr.name.ja, pr.name.en, init.id, mu.name.ja if mu else "", mu.name.en if mu else "", via,
                sum(known) / len(known) if known else 0.0, pr.quote, mu.population if mu else None,
                mu.ageing if mu else None, unknown, pr.source or init.source)


def _counted_tags(tags: list[Any], bases: tuple[str, ...], counted: set[str]) -> list[Any]:
    return [t for t in tags if t.basis in bases and (t.source in counted or not t.source)]


def _tagged(ex: Extract, home: MunicipalityRow | None, bases: tuple[str, ...],
            counted: set[str]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(scheme, code) -> [(practice IRI, the tag's code)] of the counted practices elsewhere: one pass
    over the practices, shared by every gap."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for iri in sorted(ex.practices):
        pr = ex.practices[iri]
        init = ex.initiatives[pr.initiative]
        if init.source not in counted or (home is not None and home.iri in init.municipalities):
            continue
        for t in _counted_tags(pr.tags, bases, counted):
            out.setdefault((t.scheme, t.code), []).append((iri, f"{t.scheme}:{t.code}"))
    return out


def _cases(ex: Extract, home: MunicipalityRow | None, links: list[tuple[str, str]],
           tagged: dict[tuple[str, str], list[tuple[str, str]]]) -> list[Case]:
    """Counted practices tagged with any of `links`, one row each (its first link), towns most like the
    plan's first (a town whose population and ageing are both unknown last)."""
    first: dict[str, str] = {}
    for link in links:
        for iri, via in tagged.get(link, []):
            first.setdefault(iri, via)
    found = [_case(ex, home, iri, via) for iri, via in sorted(first.items())]
    return sorted(found, key=lambda c: (len(c.context_unknown) == 2, -c.context, c.practice))


def _measure_report(graph: Adapter, scorer: Scorer, plan: PlanInput, me: MeasureRow, bases: tuple[str, ...],
                    top: int) -> MeasureReport:
    import numpy as np

    ex = graph.extract
    tags = [{"scheme": t.scheme, "code": t.code, "basis": t.basis, "score": t.score} for t in me.tags
            if t.basis in bases]
    report = MeasureReport(me.id, me.name.ja, me.name.en, me.section.ja, me.section.en, me.quote, tags)
    if top == 0:
        return report
    spec = measure_row_spec(graph, me, plan.town, "suggested" in bases, plan.words.get(me.id))
    if not len(spec.words.ix) and not spec.sets.get("domains") and not spec.sets.get("technologies"):
        return report  # nothing says what the measure is about: no one to call
    exclude = None
    if plan.town is not None:  # initiatives of the plan's own town are not "elsewhere"
        ix = graph.index
        exclude = np.zeros(len(ix["init_id"]), dtype=bool)
        ids = [i.id for i in ex.initiatives.values() if plan.town.iri in i.municipalities]
        exclude[np.isin(ix["init_id"], ids)] = True
    result = scorer.rank(spec, top, exclude, LEAD_FLOOR)
    by_id = {i.id: i for i in ex.initiatives.values()}
    for m in result.matches:
        init = by_id[m.id]
        outcomes = [Outcome(o.indicator.ja, o.indicator.en, o.value, o.unit, o.qualifier, o.date, o.quote)
                    for o in init.outcomes]
        report.leads.append(Lead(m.id, m.name_ja, m.name_en, m.municipalities, m.municipalities_en, round(m.score, 4),
                                 [w for w, _ in m.words], m.shared, m.unknown, outcomes, _own_quote(ex, init),
                                 m.source))
    report.left_out = result.left_out
    return report


def _own_quote(ex: Extract, init: Any) -> str:
    """The initiative's quote, unless the source lists it with others in that quote (then the quote of its
    first outcome or practice, which speaks of it alone)."""
    if sum(1 for i in ex.initiatives.values() if i.quote == init.quote) == 1:
        return str(init.quote)
    own = [o.quote for o in init.outcomes if o.quote] + [ex.practices[p].quote for p in init.practices
                                                          if p in ex.practices and ex.practices[p].quote]
    return own[0] if own else str(init.quote)


def _peers(ex: Extract, home: MunicipalityRow | None, status: dict[tuple[str, str], str], plan: PlanInput,
           bases: tuple[str, ...], counted: set[str]) -> tuple[list[Peer], list[dict[str, str]]]:
    """Municipalities with counted cases, most like the plan's first, with what each did that it lacks."""
    if home is None or home.population is None:
        return [], []
    towns: dict[str, list[Any]] = {}
    for i in sorted(ex.initiatives.values(), key=lambda i: i.id):
        if i.source in counted:
            for m in i.municipalities:
                if m in ex.municipalities and m != home.iri:
                    towns.setdefault(m, []).append(i)
    peers, unranked = [], []
    for m, inits in towns.items():
        mu = ex.municipalities[m]
        if mu.population is None or mu.population <= 0:
            unranked.append({"id": mu.id, "name_ja": mu.name.ja, "name_en": mu.name.en})
            continue
        d = abs(math.log10(mu.population / home.population))
        if mu.ageing is not None and home.ageing is not None:
            d += abs(mu.ageing - home.ageing) / PEER_AGEING_STEP
        peer = Peer(mu.id, mu.name.ja, mu.name.en, mu.population, mu.ageing, round(d, 4))
        items = _lacks(ex, inits, status, plan, bases, counted)
        peer.items, peer.left_out = items[:PEER_ITEMS], max(0, len(items) - PEER_ITEMS)
        peers.append(peer)
    peers.sort(key=lambda p: (p.distance, p.municipality))
    return peers, sorted(unranked, key=lambda u: u["id"])


def _lacks(ex: Extract, inits: list[Any], status: dict[tuple[str, str], str], plan: PlanInput,
           bases: tuple[str, ...], counted: set[str]) -> list[PeerItem]:
    """What these initiatives did that the plan lacks: missing before weak, then domains and technologies."""
    order = {"missing": 0, "weak": 1, "none": 2}
    factor_gap: dict[str, tuple[str, str]] = {}  # factor -> (principle, its strength), the worst
    for (scheme, code), strength in status.items():
        if scheme == "principle" and strength in ("missing", "weak"):
            for s, c in ex.related_to(code):
                if s == "factor" and (c not in factor_gap or order[strength] < order[factor_gap[c][1]]):
                    factor_gap[c] = (code, strength)
    plan_domains = {d for me in plan.measures for d in me.domains}
    plan_tech = {t for me in plan.measures for t in me.technologies}
    out = []
    for i in inits:
        reasons: dict[str, dict[str, str]] = {}
        quote = ""
        for p in i.practices:
            pr = ex.practices.get(p)
            if pr is None:
                continue
            for t in _counted_tags(pr.tags, bases, counted):
                why, strength = "", ""
                if t.scheme == "driver" and status.get(("driver", t.code)) in ("missing", "weak"):
                    why, strength = f"driver:{t.code}", status[("driver", t.code)]
                elif t.scheme == "factor" and t.code in factor_gap:
                    why, strength = f"principle:{factor_gap[t.code][0]}", factor_gap[t.code][1]
                if why and why not in reasons:
                    reasons[why] = {"why": why, "strength": strength, "practice": pr.id}
                    quote = quote or pr.quote
        for d in sorted(i.domains - plan_domains):
            reasons[f"domain:{d}"] = {"why": f"domain:{d}", "strength": "none", "practice": ""}
        for t in sorted(i.technologies - plan_tech):
            reasons[f"technology:{t}"] = {"why": f"technology:{t}", "strength": "none", "practice": ""}
        if reasons:
            ranked = sorted(reasons.values(), key=lambda r: (order[r["strength"]], not r["why"].startswith("driver"),
                                                             r["why"]))
            out.append(PeerItem(i.id, i.name.ja, i.name.en, ranked, quote or i.quote))
    return sorted(out, key=lambda x: (min(order[r["strength"]] for r in x.reasons), -len(x.reasons), x.initiative))


def _actions(graph: Adapter, plan: PlanInput, principles: list[Item], status: dict[tuple[str, str], str],
             bases: tuple[str, ...], counted: set[str]) -> list[Action]:
    import numpy as np

    ex = graph.extract
    ix = graph.index
    home = plan.town
    pids = [str(x) for x in ix["practice_words_id"].tolist()]
    practice_at = {p.id: iri for iri, p in ex.practices.items()}
    order = {"missing": 0, "weak": 1}
    out = []
    for it in principles:
        related = ex.related_to(it.code)
        gaps = [(f"principle:{it.code}", it.strength)] if it.strength in order else []
        gaps += [(f"{s}:{c}", status[(s, c)]) for s, c in related if status.get((s, c)) in order]
        if not gaps:
            continue
        exposed = sum(c.exposed for c in it.checklist)
        for cm in it.countermeasures:
            if cm["in_plan"]:
                continue  # the plan already speaks to it
            row = row_of(ix, "counter", cm["id"])
            if row is None:
                continue
            scores = cosine(ix, "practice", query_of_row(ix, "counter", row))
            best: tuple[Any, ...] | None = None
            for k in np.flatnonzero(scores >= CASE_FLOOR).tolist():  # few: only these are read
                iri = practice_at.get(pids[k])
                if iri is None:
                    continue
                pr = ex.practices[iri]
                init = ex.initiatives[pr.initiative]
                if init.source not in counted or (home is not None and home.iri in init.municipalities):
                    continue
                codes = {(t.scheme, t.code) for t in _counted_tags(pr.tags, bases, counted)}
                if not codes & set(related):
                    continue
                # the gap this case speaks to: a related code it carries that the plan lacks, else the principle's
                carried = [(g, s) for g, s in gaps if tuple(g.split(":")) in codes]
                gap, strength = min(carried or gaps, key=lambda x: order[x[1]])
                case = _case(ex, home, iri, gap if carried else next(f"{s}:{c}" for s, c in related
                                                                       if (s, c) in codes))
                key = (order[strength], -case.context if len(case.context_unknown) < 2 else 1.0,
                       -float(scores[k]), pids[k])
                if best is None or key < best[0]:
                    best = (key, case, gap, strength, float(scores[k]), k)
            if best is None:
                continue
            _, case, gap, strength, match, k = best
            c = next(x for x in ex.countermeasures if x.id == cm["id"])
            from kg.analysis.words import shared_words

            words = [w for w, _ in shared_words(ix, "practice", k, query_of_row(ix, "counter", row), limit=5)]
            out.append(Action(0, c.id, c.name.ja, c.name.en, c.description.ja, c.description.en, it.code, gap,
                              strength, exposed, case, round(match, 4), words))
    out.sort(key=lambda a: (order[a.gap_strength], -a.exposed_pitfalls,
                            len(a.case.context_unknown) == 2, -a.case.context, -a.match, a.countermeasure))
    for n, a in enumerate(out, 1):
        a.rank = n
    return out
