"""dxkg similar"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.cli.common import build_option, emit, lang_option, open_graph, reliability_options, reported

if TYPE_CHECKING:
    from kg.analysis.similarity import Match, SimilarResult

LABELS = {
    "ja": {"rank": "順位", "id": "ID", "name": "名称", "municipalities": "自治体", "score": "類似度",
           "matched_words": "一致した語", "shared": "共有", "unknown": "不明な項目",
           "query": "問い合わせ", "initiative": "事例", "measure": "計画の施策", "text": "文書", "as_words": "語",
           "known_words": "使った語", "unknown_words": "グラフにない語", "topics": "名前にあたる分野・技術",
           "domain": "分野", "technology": "技術", "counted": "数えた出典",
           "left_out_sources": "除外した出典", "rel_hint": "--min-reliability secondary で含む",
           "excluded": "除外した事例 {n} 件", "more": "ほか {n} 件（類似度 > 0）", "dropped": "問い合わせにない項目",
           "imputed": "* 不明: 事例にその項目がなく、その項目の平均で数えた値", "suggested": "提案タグ",
           "suggested_in": "含む", "suggested_out": "除外（--include-suggested で含む）", "none": "なし",
           "partial": "一致した語が問い合わせの語の一部だけの事例は、その語だけで似ていると判定されています"},
    "en": {"rank": "rank", "id": "id", "name": "name", "municipalities": "municipalities", "score": "score",
           "matched_words": "matched words", "shared": "shared", "unknown": "unknown",
           "query": "query", "initiative": "initiative", "measure": "plan measure", "text": "document",
           "as_words": "words", "known_words": "words used", "unknown_words": "words the graph does not have",
           "topics": "words that name a domain or technology", "domain": "domain", "technology": "technology",
           "counted": "sources counted", "left_out_sources": "sources left out",
           "rel_hint": "--min-reliability secondary counts them", "excluded": "{n} initiatives left out",
           "more": "{n} more scored above 0", "dropped": "parts the query has nothing of",
           "imputed": "* unknown: the initiative lacks the part; counted as the part's average",
           "suggested": "suggested tags", "suggested_in": "counted",
           "suggested_out": "left out (--include-suggested counts them)", "none": "none",
           "partial": "an initiative whose matched words are only some of the query's is similar by those words alone"},
}
PART_LABELS = {
    "ja": {"words": "語", "domains": "分野", "technologies": "技術", "drivers": "ドライバー", "factors": "成功要因",
           "stakeholders": "関係者", "population": "人口規模", "ageing": "高齢化率"},
    "en": {p: p for p in ("words", "domains", "technologies", "drivers", "factors", "stakeholders", "population",
                          "ageing")},
}


def _weights(values: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for v in values:
        key, sep, num = v.partition("=")
        try:
            out[key.strip()] = float(num)
        except ValueError:
            raise click.BadParameter(f"wants PART=NUMBER (e.g. domains=3), not {v!r}", param_hint="--weight") from None
        if not sep:
            raise click.BadParameter(f"wants PART=NUMBER (e.g. domains=3), not {v!r}", param_hint="--weight")
        if not 0 <= out[key.strip()] <= 1000:  # weights are relative: past that, sums overflow or say nothing
            raise click.BadParameter(f"a weight is a number from 0 to 1000, not {num.strip()!r}", param_hint="--weight")
    return out


@click.command("similar")
@click.argument("query", required=False)
@click.option("--text", "text_file", type=click.Path(path_type=Path),
              help="Rank by what a document says (text, Markdown or PDF) instead of QUERY.")
@click.option("-k", "--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many initiatives to list.")
@click.option("-w", "--weight", "weights", multiple=True, metavar="PART=N",
              help="Set a weight (parts: words domains technologies drivers factors stakeholders population "
                   "ageing). Repeatable.")
@click.option("--explain", is_flag=True, help="Show each part's share of the score and the words that matched.")
@reliability_options
@lang_option
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output format (json: the query, every part and the sources counted, too).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@build_option
def command(query: str | None, text_file: Path | None, top: int, weights: tuple[str, ...], explain: bool,
            min_reliability: str, include_suggested: bool, lang: str, fmt: str, output: Path | None,
            build_dir: Path | None) -> None:
    """Initiatives most like QUERY: an initiative (id, initiative/ID or name), a plan measure (id,
    measure/ID or name), or free words
    in Japanese or English ("ドローン 物流", "on-demand bus for elderly residents"); or like --text FILE.

    What an initiative is comes first: what its names, descriptions, practices and quotes say
    (tf-idf cosine for an initiative, a measure or a file; BM25 for typed words) and the domains
    and technologies it shares, each weighted by how informative it is (a tag most initiatives
    carry says little). How it was done and where (drivers, factors, stakeholder types, population
    band, 65+ share) raise the score among initiatives about the same thing: score = subject ×
    (1 + other) / 2. A part an initiative lacks is "unknown", not 0: it counts as the part's
    average and --explain marks it. Weights within each group: words 5, domains 2, technologies
    1.5; drivers 0.75, factors 0.25, stakeholders 0.5, population 0.25, ageing 0.25.

    Cases from secondary sources (the unverified article 003) and suggested tags count only when
    asked (--min-reliability secondary, --include-suggested); the output says which sources counted.

    \b
    Examples:
      dxkg similar higumap --explain
      dxkg similar "on-demand bus for elderly residents" --lang en
      dxkg similar 「高齢者の見守り」
      dxkg similar horokanai-smart-agriculture --min-reliability secondary
      dxkg similar --text plan.pdf --format json

    Exit status: 0 ok; 1 invalid input (a name or words that match nothing, a file with nothing to
    use); 2 usage or environment error (a bad option value, no build, an unreadable file).
    """
    from kg.analysis.similarity import similar

    if (query is None) == (text_file is None):
        raise click.UsageError("give QUERY or --text FILE (one of them)")
    parsed = _weights(weights)
    text, name = None, ""
    if text_file is not None:
        text, name = _read(text_file)
    with reported():
        result = similar(open_graph(build_dir), query, top, parsed, text=text, text_name=name,
                         min_reliability=min_reliability, include_suggested=include_suggested)
    if fmt == "json":
        import json
        from dataclasses import asdict

        emit(json.dumps(asdict(result), ensure_ascii=False, indent=1), output)
        return
    # Typed words are scored by which of them an initiative says: the reader sees which, or a word most
    # initiatives use (住民, 職員) would pass for a likeness.
    rows = [_row(result, m, rank, lang, explain or fmt == "csv", fmt == "csv", _by_words(result))
            for rank, m in enumerate(result.matches, 1)]
    from kg.analysis.render import rows_out

    if fmt == "csv":
        emit(rows_out(rows, "csv"), output)
        return
    emit("\n".join([*_head(result, lang), "", rows_out(_localised(rows, lang), "table").rstrip(),
                    *_foot(result, lang, explain)]), output)


def _read(path: Path) -> tuple[str, str]:
    from kg.cli.common import read_input

    return read_input(path, lambda _msg: None).text, path.name


def _row(r: SimilarResult, m: Match, rank: int, lang: str, explain: bool, numbers: bool = False,
         words: bool = False) -> dict[str, Any]:
    """One match as a row; with `explain`, each part's share of the score (they add up to it) and the words
    that matched; with `numbers` (CSV), the shares as plain numbers and the parts counted as unknown apart;
    with `words`, the words that matched whether explained or not."""
    row: dict[str, Any] = {"rank": rank, "id": m.id, "name": m.name_ja if lang == "ja" else m.name_en or m.name_ja,
                           "municipalities": m.municipalities if lang == "ja" else m.municipalities_en,
                           "score": round(m.score, 4)}
    if explain:
        for p in r.weights:
            if p in m.contributions:
                value = f"{m.contributions[p]:.3f}"
                row[p] = value + "*" if p in m.unknown and not numbers else value
        if numbers:
            row["unknown"] = " ".join(p for p in r.weights if p in m.unknown and p in m.contributions)
    if explain or words:
        row["matched_words"] = ("・" if lang == "ja" else ", ").join(w for w, _ in m.words[:6])
    if explain:
        row["shared"] = "; ".join(f"{PART_LABELS[lang][p]}: {', '.join(v)}" for p, v in m.shared.items() if v)
    return row


def _by_words(r: SimilarResult) -> bool:
    """Whether the query is typed words (or a topic's name), scored by which of them each initiative says."""
    return r.query.kind == "words" and len(r.query.words) > 0


def _partial(r: SimilarResult) -> bool:
    """Whether a listed initiative says only some of the typed words."""
    asked = set(r.query.words)
    return _by_words(r) and len(asked) > 1 and any(0 < len({w for w, _ in m.words} & asked) < len(asked)
                                                   for m in r.matches)


def _localised(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    labels = {**LABELS[lang], **PART_LABELS[lang]}
    return [{labels.get(k, k): v for k, v in row.items()} for row in rows]


def _head(r: SimilarResult, lang: str) -> list[str]:
    t = LABELS[lang]
    q = r.query
    kind = t.get(q.kind, t["as_words"]) if q.kind != "words" else t["as_words"]
    name = q.name_ja if lang == "ja" else q.name_en or q.name_ja
    places = ", ".join(q.municipalities if lang == "ja" else q.municipalities_en)
    quoted = name if name.startswith("「") else f"「{name}」"
    lines = [f"{t['query']}: {kind} " + (f"{q.id} — {name}" if q.kind in ("initiative", "measure") else quoted)
             + (f" ({places})" if places else "")]
    if q.kind in ("words", "text"):
        lines.append(f"  {t['known_words']}: {', '.join(q.words[:20]) or t['none']}"
                     + (f" …+{len(q.words) - 20}" if len(q.words) > 20 else ""))
        if q.unknown_words:
            lines.append(f"  {t['unknown_words']}: {', '.join(q.unknown_words[:10])}"
                         + (f" …+{len(q.unknown_words) - 10}" if len(q.unknown_words) > 10 else ""))
    if q.topics:
        lines.append(f"  {t['topics']}: " + ", ".join(
            f"{t[x['scheme']]} {x['ja'] if lang == 'ja' else x['en']}" for x in q.topics))
    if q.also_named:
        names = ", ".join(q.also_named[:3]) + (" …" if len(q.also_named) > 3 else "")
        if lang == "ja":
            lines.append(f"  （語として読みました。名前では {names} にも一致"
                         + ("します: そのいずれかと比べるには ID を指定してください）" if q.same_name else "します）"))
        else:
            lines.append(f"  ({q.hint})")
    elif q.hint:
        lines.append(f"  ({q.hint})")
    return lines


def _foot(r: SimilarResult, lang: str, explain: bool) -> list[str]:
    t = LABELS[lang]
    out = []
    if r.left_out:
        out.append(t["more"].format(n=r.left_out))
    if _partial(r):
        out.append(t["partial"])
    if explain and any(m.unknown for m in r.matches):
        out.append(t["imputed"])
    if explain and r.dropped:
        out.append(f"{t['dropped']}: " + ", ".join(PART_LABELS[lang][p] for p in r.dropped))
    out.append(f"{t['counted']}: {', '.join(r.sources_counted) or t['none']}")
    if r.sources_left_out:
        out.append(f"{t['left_out_sources']}: {', '.join(r.sources_left_out)} — {t['excluded'].format(n=r.excluded)}"
                   f" ({t['rel_hint']})")
    out.append(f"{t['suggested']}: {t['suggested_in'] if r.include_suggested else t['suggested_out']}")
    return out
