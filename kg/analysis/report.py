"""A plan assessment as a report a planner reads: terminal text or Markdown with tables, in Japanese
(the default) or English, every label in the chosen language; JSON has everything (Assessment.as_dict)."""

from __future__ import annotations

import json
from typing import Any

from kg.analysis.assessment import Action, Assessment, Case, Item, Lead, Mention, Outcome, Peer

T: dict[str, dict[str, Any]] = {
    "ja": {
        "title": "{name} の評価", "town": "自治体", "population": "人口", "ageing": "65歳以上の割合",
        "measures_n": "施策数", "summary": "要約",
        "from_text": "計画の文書（施策と各原則・ドライバーへの対応は文書から機械的に読み取った提案: 確かめてください）",
        "principle": "原則", "driver": "ドライバー", "factor": "成功要因", "domain": "分野", "technology": "技術",
        "principles": "地域DX成功の7ヶ条", "drivers": "12のドライバー",
        "strong": "強", "weak": "弱（リスク）", "missing": "不足", "n/a": "—",
        "explicit": "明示", "inferred": "推定", "suggested": "提案",
        "points": "点", "strength": "強さ", "served_by": "対応する施策", "section": "節", "basis": "根拠",
        "quote": "引用",
        "measure": "施策", "risk": "リスク対応",
        "pitfalls": "陥りやすい落とし穴", "state": "計画の状態", "addressed": "記述あり", "exposed": "露出",
        "words_only": "語の一致あり・要確認",
        "words_only_note": "注: この原則に結び付いた施策はありませんが、計画の記述は下の落とし穴・対応例の{n}件と語が"
                           "一致します。記述がこの原則の趣旨に合うなら、その施策に原則{code}を付けると評価に反映されます"
                           "（語の一致は確認の手掛かりで、判定ではありません）。",
        "plan_says": "計画の記述（一致した語）", "nothing": "一致する記述なし",
        "countermeasures": "回避するための対応例（002）", "in_plan": "計画に記述あり",
        "not_in_plan": "計画に一致する記述なし",
        "related": "対応するドライバー・成功要因", "cases": "他自治体の事例", "none": "なし",
        "more": "ほか {n} 件", "leads": "施策ごとの類似事例（問い合わせ先）", "initiative": "事例",
        "score": "類似度", "outcomes": "成果", "matched": "一致した語", "unknown": "不明",
        "unknown_parts": "不明な項目", "peers": "人口と高齢化率が近い自治体", "distance": "距離",
        "lacks": "計画にないもの", "actions": "次の一手", "rank": "順位", "action": "対応例",
        "why": "理由", "case": "事例", "match": "語の一致", "rules": "ルール", "sources": "出典",
        "counted": "数えた", "left_out": "除外", "primary": "一次", "secondary": "二次（未検証を含む）",
        "suggested_tags": "提案タグ（basis: suggested）", "included": "含む",
        "excluded_hint": "除外（--include-suggested で含む）", "rel_hint": "--min-reliability secondary で含む",
        "not_ranked": "人口が不明で順位付けしない自治体", "gap_of": "計画では{strength}",
        "in_town": "{town}", "people": "{n}人", "no_town": "自治体が不明なため類似自治体は示せない",
        "town_named": "文書中の自治体名から推定（{counts}）",
        "town_ambiguous": "文書が複数の自治体を同じ回数挙げるため不明（{counts}）",
        "town_unknown": "文書に自治体名がなく不明（--municipality で指定）", "town_given": "--municipality で指定",
        "more_than": "超", "weak_principle": "弱い原則はリスクとして示す",
        "no_case": "事例なし", "context": "規模", "via": "つながり", "action_n": "次の一手 {n}",
        "parts": {"words": "語", "domains": "分野", "technologies": "技術", "drivers": "ドライバー",
                  "factors": "成功要因", "stakeholders": "関係者", "population": "人口規模", "ageing": "高齢化率"},
        "qualifiers": {"approximately": "約{v}", "at-least": "{v}以上", "more-than": "{v}超", "just-under": "{v}弱",
                       "just-over": "{v}強", "at-most": "{v}以下", "less-than": "{v}未満", "exact": "{v}", "": "{v}"},
        "units": {"JPY": "円", "persons": "人", "hours": "時間", "forms": "件", "cards": "枚",
                  "municipalities": "自治体", "institutions": "機関", "companies": "社", "km2": "km²",
                  "%/year": "%/年", "persons per year": "人/年", "hours/year": "時間/年"},
    },
    "en": {
        "title": "Assessment of {name}", "town": "Municipality", "population": "population",
        "ageing": "share aged 65+", "measures_n": "measures", "summary": "Summary",
        "from_text": "Plan document (its measures and what each serves were read from the text by machine: "
                     "suggestions to check)",
        "principle": "principle", "driver": "driver", "factor": "factor", "domain": "domain",
        "technology": "technology", "principles": "The 7 principles", "drivers": "The 12 drivers",
        "strong": "strong", "weak": "weak (a risk)", "missing": "missing", "n/a": "—",
        "explicit": "explicit", "inferred": "inferred", "suggested": "suggested",
        "points": "points", "strength": "strength", "served_by": "Measures serving it", "section": "section",
        "basis": "basis",
        "quote": "quote", "measure": "measure", "risk": "risk response",
        "pitfalls": "Pitfalls", "state": "plan", "addressed": "addressed", "exposed": "exposed",
        "words_only": "words match: check",
        "words_only_note": "Note: no measure is linked to this principle, but the plan's text shares words with "
                           "{n} of the pitfalls and countermeasures below. If it serves the principle, linking that "
                           "measure to principle {code} puts it in the score (a word match is a lead to check, not a "
                           "verdict).",
        "plan_says": "what the plan says (matched words)", "nothing": "no matching text",
        "countermeasures": "Countermeasures (002)", "in_plan": "in the plan",
        "not_in_plan": "no matching text in the plan",
        "related": "related drivers and factors", "cases": "Cases elsewhere", "none": "none",
        "more": "{n} more", "leads": "Similar initiatives for each measure (whom to call)", "initiative": "initiative",
        "score": "similarity", "outcomes": "outcomes", "matched": "matched words", "unknown": "unknown",
        "unknown_parts": "unknown", "peers": "Municipalities alike in population and ageing", "distance": "distance",
        "lacks": "what the plan lacks", "actions": "Next actions", "rank": "rank", "action": "countermeasure",
        "why": "why", "case": "case", "match": "word match", "rules": "Rules", "sources": "Sources",
        "counted": "counted", "left_out": "left out", "primary": "primary", "secondary": "secondary (unverified)",
        "suggested_tags": "suggested tags (basis: suggested)", "included": "included",
        "excluded_hint": "left out (--include-suggested counts them)",
        "rel_hint": "--min-reliability secondary counts them",
        "not_ranked": "municipalities not ranked (population unknown)", "gap_of": "{strength} in the plan",
        "in_town": "{town}", "people": "{n}", "no_town": "the municipality is not known, so no peers",
        "town_named": "from the municipality names in the text ({counts})",
        "town_ambiguous": "not known: the text names several municipalities equally often ({counts})",
        "town_unknown": "not known: the text names no municipality of the graph (give --municipality)",
        "town_given": "given with --municipality", "more_than": "over", "weak_principle": "",
        "no_case": "no case", "context": "size", "via": "via", "action_n": "Next action {n}",
        "parts": {"words": "words", "domains": "domains", "technologies": "technologies", "drivers": "drivers",
                  "factors": "factors", "stakeholders": "stakeholders", "population": "population",
                  "ageing": "ageing"},
        "qualifiers": {"approximately": "about {v}", "at-least": "at least {v}", "more-than": "more than {v}",
                       "just-under": "just under {v}", "just-over": "just over {v}", "at-most": "at most {v}",
                       "less-than": "less than {v}", "exact": "{v}", "": "{v}"},
        "units": {},
    },
}
MARK = {"strong": "✓", "weak": "⚠", "missing": "✗"}


def number(v: float) -> str:
    """A figure as the source would write it: thousands separated, no trailing .0."""
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.3f}".rstrip("0").rstrip(".")


def figure(o: Outcome, lang: str) -> str:
    """An outcome: indicator, value with qualifier and unit, date."""
    t = T[lang]
    unit = t["units"].get(o.unit, o.unit)
    gap = "" if lang == "ja" or unit.startswith("%") or not unit else " "
    value = number(o.value) + gap + unit
    shown = t["qualifiers"].get(o.qualifier, "{v}").format(v=value)
    name = o.indicator_ja if lang == "ja" else (o.indicator_en or o.indicator_ja)
    return f"{name} {shown}" + (f"（{o.date}）" if lang == "ja" and o.date else f" ({o.date})" if o.date else "")


def _name(ja: str, en: str, lang: str) -> str:
    return ja if lang == "ja" else (en or ja)


def _label(a: Assessment, key: str, lang: str) -> str:
    lab = a.labels.get(key)
    return (lab.get(lang) or lab.get("ja") or key) if lab else key


def _code(a: Assessment, key: str, lang: str, with_label: bool = True) -> str:
    """'driver:6' as 「ドライバー6 地域の…」 / 'driver 6 Expanding …'."""
    scheme, _, code = key.partition(":")
    t = T[lang]
    head = f"{t.get(scheme, scheme)}{code}" if lang == "ja" and scheme in ("principle", "driver", "factor") else (
        f"{t.get(scheme, scheme)} {code}" if scheme in ("principle", "driver", "factor") else "")
    label = _label(a, key, lang)
    if not head:
        return f"{t.get(scheme, scheme)}: {label}" if lang == "en" else f"{t.get(scheme, scheme)}「{label}」"
    return f"{head} {label}" if with_label else head


def _town(a: Assessment, lang: str) -> str:
    t = T[lang]
    name = _name(a.municipality_ja, a.municipality_en, lang)
    if not name:
        return {"unknown": t["town_unknown"], "ambiguous": t["town_ambiguous"]}.get(a.town_basis, t["none"]).format(
            counts=_counts(a.town_named))
    bits = []
    if a.population is not None:
        bits.append(f"{t['population']} {t['people'].format(n=number(a.population))}")
    if a.ageing is not None:
        share = f"{number(round(a.ageing * 100, 1))}%"
        if a.ageing_qualifier:
            share = t["qualifiers"].get(a.ageing_qualifier, "{v}").format(v=share)
        bits.append(f"{t['ageing']} {share}")
    how = {"named": t["town_named"], "given": t["town_given"]}.get(a.town_basis, "").format(
        counts=_counts(a.town_named))
    sep = "、" if lang == "ja" else ", "
    extra = sep.join(bits + ([how] if how else []))
    return f"{name}（{extra}）" if lang == "ja" and extra else f"{name} ({extra})" if extra else name


def _counts(named: dict[str, int]) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in named.items())


def _size(c: Case | Peer, lang: str) -> str:
    t = T[lang]
    pop = t["people"].format(n=number(c.population)) if c.population is not None else t["unknown"]
    age = f"{number(round(c.ageing * 100, 1))}%" if c.ageing is not None else t["unknown"]
    return f"{t['population']} {pop}・65+ {age}" if lang == "ja" else f"pop. {pop}, 65+ {age}"


def _q(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return f"「{text if len(text) <= limit else text[:limit - 1] + '…'}」" if text else ""


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


class _Out:
    """Lines of the report, as Markdown or terminal text."""

    def __init__(self, markdown: bool):
        self.md = markdown
        self.lines: list[str] = []

    def h(self, level: int, text: str) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")
        if self.md:
            self.lines.append("#" * level + " " + text)
        else:
            self.lines.append({1: "", 2: "== ", 3: "-- ", 4: ""}[level] + text)
        self.lines.append("")

    def p(self, text: str) -> None:
        self.lines.append(text)

    def bullet(self, text: str, depth: int = 0) -> None:
        prefix = "  " * depth + "- " if self.md else "    " * depth + "  • "
        self.lines.append(prefix + text)

    def table(self, head: list[str], rows: list[list[str]]) -> None:
        if self.md:
            self.lines.append("| " + " | ".join(head) + " |")
            self.lines.append("|" + "|".join(" --- " for _ in head) + "|")
            self.lines += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
        else:
            for r in rows:
                self.lines.append("  • " + " · ".join(c for c in r if c))
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def assessment_text(a: Assessment, lang: str = "ja", markdown: bool = False) -> str:
    """The report (see the module docstring)."""
    t = T[lang]
    o = _Out(markdown)
    name = _name(a.name_ja, a.name_en, lang)
    o.h(1, t["title"].format(name=name) + ("" if a.from_text else f" ({a.plan})"))
    o.p(f"{t['town']}: {_town(a, lang)}" + ("　" if lang == "ja" else " · ") + f"{t['measures_n']}: {a.measures}")
    if a.from_text:
        o.p(f"{t['from_text']}: {a.from_text}")
    _sources(o, a, lang)
    _summary(o, a, lang)
    for scheme, items in (("principle", a.principles), ("driver", a.drivers)):
        o.h(2, t["principles"] if scheme == "principle" else t["drivers"])
        o.table([t[scheme], t["strength"], t["points"], t["served_by"]],
                [[_code(a, f"{scheme}:{it.code}", lang), f"{MARK[it.strength]} {t[it.strength]}"
                  + (f"（{t['words_only']}）" if lang == "ja" else f" ({t['words_only']})") * bool(_text_matches(it)),
                  number(it.points), _servers(it, lang)] for it in items])
        for it in items:
            _item(o, a, it, lang)
    _leads(o, a, lang)
    _peers(o, a, lang)
    _actions(o, a, lang)
    o.h(2, t["rules"])
    for rule in a.rules.values():
        o.bullet(rule[lang])
    return o.text()


def _sources(o: _Out, a: Assessment, lang: str) -> None:
    t = T[lang]
    counted = [f"{s.id[:3]} {_name(s.title_ja, s.title_en, lang)}（{t[s.reliability]}）" if lang == "ja" else
               f"{s.id[:3]} {_name(s.title_ja, s.title_en, lang)} ({t[s.reliability]})" for s in a.sources if s.counted]
    left = [f"{s.id[:3]} {_name(s.title_ja, s.title_en, lang)}" for s in a.sources if not s.counted]
    o.p(f"{t['sources']}: {t['counted']}: " + "; ".join(counted))
    if left:
        o.p(f"{t['sources']}: {t['left_out']}: " + "; ".join(left) + f"（{t['rel_hint']}）" if lang == "ja" else
            f"{t['sources']}: {t['left_out']}: " + "; ".join(left) + f" ({t['rel_hint']})")
    o.p(f"{t['suggested_tags']}: " + (t["included"] if a.include_suggested or a.from_text else t["excluded_hint"]))


def _summary(o: _Out, a: Assessment, lang: str) -> None:
    t = T[lang]
    o.h(2, t["summary"])
    for scheme in ("principle", "driver"):
        st = a.strengths(scheme)
        title = t["principles"] if scheme == "principle" else t["drivers"]
        items = a.principles if scheme == "principle" else a.drivers
        parts = []
        for s in ("strong", "weak", "missing"):
            codes = [it.code for it in items if it.strength == s]
            listed = ", ".join(codes) if codes and s != "strong" else ""
            parts.append(f"{MARK[s]} {t[s]} {st[s]}" + ((f"（{listed}）" if lang == "ja" else f" ({listed})")
                                                         if listed else ""))
        o.bullet(f"{title}: " + ("、" if lang == "ja" else ", ").join(parts))
    exposed = sum(c.exposed for it in a.principles for c in it.checklist)
    total = sum(len(it.checklist) for it in a.principles)
    o.bullet(f"{t['pitfalls']}: {t['exposed']} {exposed} / {total}")
    for act in a.actions[:3]:
        o.bullet(f"{t['action_n'].format(n=act.rank)}: {_name(act.name_ja, act.name_en, lang)} ← "
                 f"{_name(act.case.municipality_ja, act.case.municipality_en, lang)} "
                 f"{_name(act.case.name_ja, act.case.name_en, lang)}")


def _servers(it: Item, lang: str, shown: int = 3) -> str:
    t = T[lang]
    if not it.served_by:
        return t["none"]
    names = [f"{_name(s.name_ja, s.name_en, lang)}（{t[s.basis]}）" if lang == "ja" else
             f"{_name(s.name_ja, s.name_en, lang)} ({t[s.basis]})" for s in it.served_by]
    more = len(names) - shown
    return "; ".join(names[:shown]) + (f"; {t['more'].format(n=more)}" if more > 0 else "")


def _item(o: _Out, a: Assessment, it: Item, lang: str) -> None:
    t = T[lang]
    o.h(3, f"{_code(a, f'{it.scheme}:{it.code}', lang)} — {MARK[it.strength]} {t[it.strength]}"
        f"（{number(it.points)}{t['points']}）" if lang == "ja" else
        f"{_code(a, f'{it.scheme}:{it.code}', lang)} — {MARK[it.strength]} {t[it.strength]} "
        f"({number(it.points)} {t['points']})")
    matched = _text_matches(it)
    if matched:
        o.p(t["words_only_note"].format(n=matched, code=it.code))
        o.p("")
    if it.served_by:
        o.table([t["measure"], t["section"], t["basis"], t["quote"]],
                [[_name(s.name_ja, s.name_en, lang), _name(s.section_ja, s.section_en, lang),
                  t[s.basis] + (f" {s.score:.2f}" if s.score is not None else ""), _q(s.quote)]
                 for s in it.served_by])
    if it.related:
        o.p(f"{t['related']}: " + ", ".join(
            _code(a, r["scheme"] + ":" + r["code"], lang, False)
            + (f" {t[r['strength']]}" if r["strength"] in ("strong", "weak", "missing") else "") for r in it.related))
        o.p("")
    if it.checklist:
        o.p(f"{t['pitfalls']}:")
        o.table([t["pitfalls"], t["state"], t["plan_says"]],
                [[_name(c.name_ja, c.name_en, lang), f"✓ {t['addressed']}" if not c.exposed else f"✗ {t['exposed']}",
                  "; ".join([_mention(m, lang) for m in c.addressed_by]
                            + ([t["more"].format(n=c.addressed_more)] if c.addressed_more else [])) or t["nothing"]]
                 for c in it.checklist])
    if it.countermeasures:
        o.p(f"{t['countermeasures']}:")
        for cm in it.countermeasures:
            where = "; ".join([_mention(Mention(**m), lang) for m in cm["in_plan"]]
                              + ([t["more"].format(n=cm["in_plan_more"])] if cm["in_plan_more"] else []))
            o.bullet(f"{_name(cm['name_ja'], cm['name_en'], lang)} — " + (f"{t['in_plan']}: {where}" if where
                                                                          else t["not_in_plan"]))
        o.p("")
    if it.strength == "missing":
        o.p(f"{t['cases']}:" + ("" if it.cases else f" {t['none']}" + (f" ({it.note})" if it.note else "")))
        if it.cases:
            o.table([t["case"], t["via"], t["town"], t["context"], t["quote"]],
                    [[_name(c.name_ja, c.name_en, lang) + f" [{c.practice}]", _code(a, c.via, lang, False),
                      _name(c.municipality_ja, c.municipality_en, lang), _size(c, lang), _q(c.quote)]
                     for c in it.cases])
        if it.cases_left_out:
            o.p(t["more"].format(n=it.cases_left_out))


def _text_matches(it: Item) -> int:
    """How many of a missing item's pitfalls and countermeasures the plan's text speaks to: a principle no
    measure is linked to, whose pitfalls the plan nonetheless addresses in words, is not simply missing."""
    if it.strength != "missing":
        return 0
    return sum(not c.exposed for c in it.checklist) + sum(bool(cm["in_plan"]) for cm in it.countermeasures)


def _mention(m: Mention, lang: str) -> str:
    t = T[lang]
    return f"{t[m.kind]}「{_name(m.name_ja, m.name_en, lang)}」（{'・'.join(m.words)}）" if lang == "ja" else \
        f"{t[m.kind]} \"{_name(m.name_ja, m.name_en, lang)}\" ({', '.join(m.words)})"


def _lead(a: Assessment, lead: Lead, lang: str) -> list[str]:
    t = T[lang]
    towns = ", ".join(lead.municipalities_ja if lang == "ja" else (lead.municipalities_en or lead.municipalities_ja))
    outcomes = "; ".join(figure(x, lang) for x in lead.outcomes[:2]) + (
        f" …+{len(lead.outcomes) - 2}" if len(lead.outcomes) > 2 else "")
    unknown = ", ".join(t["parts"][p] for p in lead.unknown)
    score = f"{lead.score:.2f}" + (f"（{t['unknown']}: {unknown}）" if lang == "ja" and unknown else
                                   f" ({t['unknown']}: {unknown})" if unknown else "")
    return [f"{_name(lead.name_ja, lead.name_en, lang)} [{lead.initiative}]", towns or t["unknown"], score,
            "・".join(lead.words[:4]) if lang == "ja" else ", ".join(lead.words[:4]), outcomes or t["none"],
            _q(lead.quote, 60)]


def _leads(o: _Out, a: Assessment, lang: str) -> None:
    t = T[lang]
    o.h(2, t["leads"])
    for r in a.measure_reports:
        section = _name(r.section_ja, r.section_en, lang)
        o.h(3, _name(r.name_ja, r.name_en, lang) + (f"（{section}）" if lang == "ja" and section else
                                                     f" ({section})" if section else ""))
        if not r.leads:
            o.p(t["none"])
            continue
        o.table([t["initiative"], t["town"], t["score"], t["matched"], t["outcomes"], t["quote"]],
                [_lead(a, lead, lang) for lead in r.leads])
        if r.left_out:
            o.p(t["more"].format(n=r.left_out))


def _peers(o: _Out, a: Assessment, lang: str) -> None:
    t = T[lang]
    o.h(2, t["peers"])
    if not a.peers:
        o.p(t["no_town"])
        return
    rows = []
    for p in a.peers:
        lacks = "; ".join(_peer_item(a, x, lang) for x in p.items)
        if p.left_out:
            lacks += "; " + t["more"].format(n=p.left_out)
        rows.append([_name(p.name_ja, p.name_en, lang), _size(p, lang), f"{p.distance:.2f}", lacks or t["none"]])
    o.table([t["town"], t["context"], t["distance"], t["lacks"]], rows)
    if a.peers_left_out:
        o.p(t["more"].format(n=a.peers_left_out))
        o.p("")
    if a.peers_not_ranked:
        o.p(f"{t['not_ranked']}: " + ", ".join(_name(u["name_ja"], u["name_en"], lang) for u in a.peers_not_ranked))


def _peer_item(a: Assessment, x: Any, lang: str) -> str:
    t = T[lang]
    whys = []
    for r in x.reasons:
        why = _code(a, r["why"], lang, r["why"].split(":")[0] not in ("principle", "driver"))
        if r["strength"] in ("missing", "weak"):
            why += f"（{t['gap_of'].format(strength=t[r['strength']])}）" if lang == "ja" else \
                f" ({t['gap_of'].format(strength=t[r['strength']])})"
        whys.append(why)
    return f"{_name(x.name_ja, x.name_en, lang)}: " + ("、" if lang == "ja" else ", ").join(whys)


def _actions(o: _Out, a: Assessment, lang: str) -> None:
    t = T[lang]
    o.h(2, t["actions"])
    if not a.actions:
        o.p(t["none"])
        return
    o.table([t["rank"], t["action"], t["why"], t["case"], t["town"], t["quote"]],
            [_action(a, x, lang) for x in a.actions])
    if a.actions_left_out:
        o.p(t["more"].format(n=a.actions_left_out))


def _action(a: Assessment, x: Action, lang: str) -> list[str]:
    t = T[lang]
    why = f"{_code(a, x.gap, lang)}: {t[x.gap_strength]}"
    if x.exposed_pitfalls:
        why += (f"、{t['principle']}{x.principle}の{t['exposed']}した落とし穴 {x.exposed_pitfalls}" if lang == "ja"
                else f"; {x.exposed_pitfalls} exposed pitfall(s) of principle {x.principle}")
    return [str(x.rank), f"{_name(x.name_ja, x.name_en, lang)}（{t['principle']}{x.principle}）" if lang == "ja" else
            f"{_name(x.name_ja, x.name_en, lang)} (principle {x.principle})", why,
            f"{_name(x.case.name_ja, x.case.name_en, lang)} [{x.case.practice}]",
            f"{_name(x.case.municipality_ja, x.case.municipality_en, lang)} ({_size(x.case, lang)})", _q(x.case.quote)]


def assessment_json(a: Assessment) -> str:
    return json.dumps(a.as_dict(), ensure_ascii=False, indent=1) + "\n"
