"""One entity with its links and the quotes behind them, in Japanese or English (kg.names resolves the name).

Property and class names come from the ontology's own labels (in the graph), so a Japanese report
says 成果, 関係者, 取組 rather than dx:outcome, dx:stakeholder, dx:practice. A value prints with what the
source says of it: unit, date and qualifier (約66 %, 1,400 persons弱 → "just under 1,400 persons").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.namespace import compact, id_path
from kg.query import QueryError
from kg.sparql import select

if TYPE_CHECKING:
    import pyoxigraph

# How a qualifier reads next to a value: (Japanese before, Japanese after, English before).
QUALIFIER_WORDS = {
    "approximately": ("約", "", "approximately "), "atLeast": ("", "以上", "at least "),
    "moreThan": ("", "超", "more than "), "justUnder": ("", "弱", "just under "),
    "justOver": ("", "強", "just over "), "atMost": ("", "以下", "at most "), "lessThan": ("", "未満", "less than "),
    "exact": ("", "", ""),
}
# Names of the other vocabularies' terms the graph uses (the ontology labels its own dx: terms).
_TERMS = {
    "dct:description": ("説明", "description"), "dct:identifier": ("ID", "id"),
    "skos:altLabel": ("別名", "other names"),
    "rdfs:seeAlso": ("関連情報", "see also"), "skos:definition": ("定義", "definition"),
    "skos:notation": ("記号", "notation"), "skos:prefLabel": ("名称", "name"), "dct:title": ("題名", "title"),
    "skos:scopeNote": ("注記", "note"), "rdfs:comment": ("注記", "comment"), "skos:related": ("関連", "related"),
    "dct:publisher": ("発行者", "publisher"), "dct:date": ("日付", "date"), "skos:inScheme": ("体系", "scheme"),
    "oa:hasTarget": ("対象", "target"), "oa:hasBody": ("付与先", "body"), "oa:motivatedBy": ("目的", "motivation"),
}
FIGURE_KINDS = {
    "population": ("人口", "population"), "population-0-14": ("人口（0〜14歳）", "population aged 0–14"),
    "population-15-64": ("人口（15〜64歳）", "population aged 15–64"),
    "population-65-plus": ("人口（65歳以上）", "population aged 65+"), "population-male": ("人口（男性）", "men"),
    "population-female": ("人口（女性）", "women"), "population-projected": ("将来推計人口", "projected population"),
    "population-change-percent": ("人口増減率", "population change"), "households": ("世帯数", "households"),
    "households-change-percent": ("世帯数増減率", "change in households"), "area-km2": ("面積", "area"),
    "ageing-rate-percent": ("高齢化率", "ageing rate"),
}
# Links that are the entity's own evidence or qualified parts, shown in their own sections.
_HIDDEN = ("rdf:type", "dx:quote", "prov:wasDerivedFrom", "dx:participation", "dx:resourceUse", "dx:figure",
           "dx:evidence", "rdfs:label", "dx:qualifier")
_VALUE_PARTS = ("dx:value", "dx:unit", "dx:date", "dx:since")
# Units the data writes in English, as a Japanese reader writes them (others print as they are).
UNITS_JA = {"persons": "人", "persons per year": "人/年", "JPY": "円", "hours": "時間", "hours/year": "時間/年",
            "municipalities": "自治体", "companies": "社", "institutions": "機関", "forms": "様式", "cards": "枚",
            "%/year": "%/年"}
_TEXT = {
    "ja": {"links": "つながり", "from": "参照元", "more": "ほか{n}件", "figures": "指標", "value": "値"},
    "en": {"links": "links", "from": "linked from", "more": "… and {n} more", "figures": "figures", "value": "value"},
}


def format_value(value: str, unit: str = "", date: str = "", qualifier: str = "", lang: str = "ja") -> str:
    """A number as the source states it: 約66 % (2022-07), 1,400 persons弱, just under 1,400 persons."""
    before_ja, after_ja, before_en = QUALIFIER_WORDS.get(qualifier.rsplit("#", 1)[-1], ("", "", ""))
    number = value
    try:
        as_float = float(value)
        number = f"{int(as_float):,}" if as_float.is_integer() else f"{as_float:,}"
    except ValueError:
        pass
    if lang == "ja":
        unit = UNITS_JA.get(unit, unit)
    unit_text = f" {unit}" if unit and unit[0].isascii() and unit[0] not in "%" else unit
    text = f"{before_ja}{number}{unit_text}{after_ja}" if lang == "ja" else f"{before_en}{number}{unit_text}"
    return f"{text} ({date})" if date else text


def label_of(store: pyoxigraph.Store, iri: str, lang: str = "ja") -> str:
    """'label / other-language label' for an IRI, or its id path when it has none."""
    labels: dict[str, str] = {}
    for row in select(store, f"SELECT ?l WHERE {{ <{iri}> rdfs:label|skos:prefLabel ?l }}"):
        labels.setdefault(row["l"].language or "", row["l"].value)
    other = "en" if lang == "ja" else "ja"
    parts = [labels[k] for k in (lang, other) if k in labels]
    if parts:
        return " / ".join(dict.fromkeys(parts))
    return id_path(iri)


def term_label(store: pyoxigraph.Store, iri: str, lang: str) -> str:
    """The label of a class or property in `lang`: ours from the ontology, others' from _TERMS."""
    own = _TERMS.get(compact(iri))
    if own:
        return own[0 if lang == "ja" else 1]
    for row in select(store, f'SELECT ?l WHERE {{ <{iri}> rdfs:label ?l FILTER(LANG(?l) = "{lang}") }}'):
        return str(row["l"].value)
    return compact(iri)


@dataclass
class Link:
    predicate: str  # the property's label in the chosen language
    target: str  # IRI or literal text
    label: str  # human label of the target
    quotes: list[tuple[str, str, str]] = field(default_factory=list)  # (quote, source, note)
    value: str = ""  # an outcome's, figure's or KPI's value as the source states it


@dataclass
class Entity:
    iri: str
    label: str
    types: list[str]
    literals: list[tuple[str, str]]  # (property label, value)
    outgoing: list[Link]
    incoming: list[Link]
    quotes: list[tuple[str, str, str]]  # (quote, source, note): the entity's own and its description's evidence
    figures: list[tuple[str, str, str, str]] = field(default_factory=list)  # (kind, value, quote, source)
    lang: str = "ja"


def _qualified_quotes(store: pyoxigraph.Store, subject: str, obj: str, lang: str) -> list[tuple[str, str, str]]:
    """Quotes of the qualified links (tags, participations, resource uses) between two nodes."""
    rows = select(store, f"""
        SELECT ?quote ?source ?basis ?why ?role WHERE {{
          {{ ?q oa:hasTarget <{subject}> ; oa:hasBody <{obj}> .
             OPTIONAL {{ ?q dx:basis/rdfs:label ?basis . FILTER(LANG(?basis) = "{lang}") }}
             OPTIONAL {{ ?q rdfs:comment ?why }} }}
          UNION
          {{ <{subject}> dx:participation ?q . ?q dx:participant <{obj}> .
             OPTIONAL {{ ?q dx:role ?role . FILTER(LANG(?role) = "{lang}") }} }}
          UNION
          {{ <{subject}> dx:resourceUse ?q . ?q dx:resource <{obj}> .
             OPTIONAL {{ ?q dx:role ?role . FILTER(LANG(?role) = "{lang}") }} }}
          ?q dx:quote ?quote ; prov:wasDerivedFrom/dct:identifier ?source .
        }} ORDER BY ?q ?source ?quote""")
    out = []
    for r in rows:
        note = " ".join(x for x in (r["basis"] and r["basis"].value, r["role"] and r["role"].value,
                                    r["why"] and r["why"].value) if x)
        out.append((r["quote"].value, r["source"].value, note))
    return out


def _value_of(store: pyoxigraph.Store, iri: str, lang: str) -> str:
    """The value of an outcome, figure, KPI or KPI value, as the source states it ("" for other nodes)."""
    for r in select(store, f"""SELECT ?v ?u ?d ?q WHERE {{ <{iri}> dx:value ?v .
            OPTIONAL {{ <{iri}> dx:unit ?u }} OPTIONAL {{ <{iri}> dx:date ?d }}
            OPTIONAL {{ <{iri}> dx:qualifier ?q }} }}"""):
        return format_value(r["v"].value, r["u"].value if r["u"] else "", r["d"].value if r["d"] else "",
                            r["q"].value if r["q"] else "", lang)
    parts = []
    for pred, word in (("dx:baseline", ("基準値", "baseline")), ("dx:target", ("目標値", "target"))):
        for r in select(store, f"""SELECT ?v ?u ?d ?q WHERE {{ <{iri}> {pred} ?x . ?x dx:value ?v .
                OPTIONAL {{ <{iri}> dx:unit ?u }} OPTIONAL {{ ?x dx:date ?d }} OPTIONAL {{ ?x dx:qualifier ?q }} }}"""):
            value = format_value(r["v"].value, r["u"].value if r["u"] else "", r["d"].value if r["d"] else "",
                                 r["q"].value if r["q"] else "", lang)
            parts.append(f"{word[0 if lang == 'ja' else 1]} {value}")
    return " → ".join(parts)


def describe(store: pyoxigraph.Store, iri: str, lang: str = "ja") -> Entity:
    """Everything the graph says about one entity, with the evidence for each link, labelled in `lang`."""
    import pyoxigraph

    names: dict[str, str] = {}

    def name(p: str) -> str:
        if p not in names:
            names[p] = term_label(store, p, lang)
        return names[p]

    has_value = bool(list(select(store, f"SELECT ?v WHERE {{ <{iri}> dx:value ?v }}")))
    rows = [(row["p"].value, row["o"])
            for row in select(store, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} ORDER BY ?p ?o")]
    languages: dict[str, set[str]] = {}
    for p, o in rows:
        if isinstance(o, pyoxigraph.Literal) and o.language:
            languages.setdefault(p, set()).add(o.language)
    types, literals, outgoing, incoming, quotes = [], [], [], [], []
    for p, o in rows:
        short = compact(p)
        if short == "rdf:type":
            if compact(o.value).startswith("dx:"):
                types.append(name(o.value))
        elif short in _HIDDEN or (has_value and short in _VALUE_PARTS):
            continue
        elif isinstance(o, pyoxigraph.Literal):
            if o.language and o.language != lang and lang in languages.get(p, set()):
                continue  # the other language's text of a property this one also has
            literals.append((name(p), o.value))
        else:
            value = _value_of(store, o.value, lang)
            label = label_of(store, o.value, lang)
            if value and label == id_path(o.value):
                label = ""  # a bare value node (a KPI's baseline): its value says it all
            outgoing.append(Link(name(p), o.value, label, _qualified_quotes(store, iri, o.value, lang), value))
    if has_value:
        literals.insert(0, (_TEXT[lang]["value"], _value_of(store, iri, lang)))
    # Its own quote first, then its description's evidence in order (Oxigraph returns a UNION in no set order).
    for row in select(store, f"""SELECT ?quote ?source WHERE {{
            {{ <{iri}> dx:quote ?quote ; prov:wasDerivedFrom/dct:identifier ?source . BIND(0 AS ?k) }} UNION
            {{ <{iri}> dx:evidence ?e . ?e dx:quote ?quote ; prov:wasDerivedFrom/dct:identifier ?source .
               BIND(1 AS ?k) }} }} ORDER BY ?k STRLEN(STR(?e)) ?e ?source ?quote"""):
        quotes.append((row["quote"].value, row["source"].value, ""))
    figures = []
    for row in select(store, f"""SELECT ?f ?kind ?quote ?source WHERE {{
            <{iri}> dx:figure ?f . ?f dx:figureKind ?kind ; dx:quote ?quote ;
            prov:wasDerivedFrom/dct:identifier ?source . OPTIONAL {{ ?f dx:date ?date }} }}
            ORDER BY ?kind ?date ?f"""):
        kind = FIGURE_KINDS.get(row["kind"].value, (row["kind"].value,) * 2)[0 if lang == "ja" else 1]
        figures.append((kind, _value_of(store, row["f"].value, lang), row["quote"].value, row["source"].value))
    for row in select(store, f"""SELECT ?s ?p WHERE {{ ?s ?p <{iri}> .
            FILTER(?p NOT IN (oa:hasTarget, oa:hasBody, dx:participant, dx:resource, skos:inScheme, rdf:type)) }}
            ORDER BY ?p ?s"""):
        s = row["s"].value
        incoming.append(Link(name(row["p"].value), s, label_of(store, s, lang),
                             _qualified_quotes(store, s, iri, lang)))
    if not (types or literals or outgoing or incoming):
        raise QueryError(f"nothing in the graph is described by <{iri}>")
    return Entity(iri, label_of(store, iri, lang), types, literals, outgoing, incoming, quotes, figures, lang)


def render(entity: Entity, max_incoming: int = 40) -> str:
    """A readable text block for the terminal."""
    t = _TEXT[entity.lang]
    lines = [f"{entity.label}  [{', '.join(entity.types)}]", f"  {entity.iri}"]
    for prop, value in entity.literals:
        lines.append(f"  {prop}: {value}")
    for quote, source, note in entity.quotes:
        lines.append(f"  「{quote}」 — {source}{f' ({note})' if note else ''}")
    if entity.figures:
        lines.append(f"{t['figures']}:")
        for kind, value, quote, source in entity.figures:
            lines.append(f"  {kind}: {value}  「{quote}」 — {source}")
    if entity.outgoing:
        lines.append(f"{t['links']}:")
        for link in entity.outgoing:
            shown = ": ".join(x for x in (link.label, link.value) if x)
            lines.append(f"  {link.predicate} → {shown}")
            for quote, source, note in link.quotes:
                lines.append(f"      「{quote}」 — {source}{f' [{note}]' if note else ''}")
    if entity.incoming:
        lines.append(f"{t['from']}:")
        for link in entity.incoming[:max_incoming]:
            lines.append(f"  {link.label} —{link.predicate}→")
            for quote, source, note in link.quotes:
                lines.append(f"      「{quote}」 — {source}{f' [{note}]' if note else ''}")
        if len(entity.incoming) > max_incoming:
            lines.append("  " + t["more"].format(n=len(entity.incoming) - max_incoming))
    return "\n".join(lines)
