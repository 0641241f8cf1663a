"""Rendering analysis answers: rows as table, CSV or JSON; a plan assessment as text, Markdown or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from kg.analysis.assessment import Assessment, Item

ROW_FORMATS = ("table", "csv", "json")


def rows_out(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None,
             headers: dict[str, str] | None = None) -> str:
    """Rows (dicts with the same keys) as an aligned table, CSV or a JSON array; `headers` names the table's columns."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    cols = columns or (list(rows[0]) if rows else [])
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in cols])
        return out.getvalue()
    from kg.tables import table

    body = [[_cell(r.get(c)) for c in cols] for r in rows]
    return table([(headers or {}).get(c, c) for c in cols], body, max_width=48) + "\n"


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)


_T = {
    "en": {"plan": "Plan", "town": "Municipality", "measures": "measures", "principles": "Principles (7ヶ条)",
           "drivers": "Drivers", "covered": "covered", "missing": "Missing", "served": "served by",
           "pitfalls": "Pitfalls", "cases": "How others filled it", "none": "none", "context": "context"},
    "ja": {"plan": "計画", "town": "自治体", "measures": "施策", "principles": "地域DX成功の7ヶ条",
           "drivers": "ドライバー",
           "covered": "カバー", "missing": "不足", "served": "対応する施策", "pitfalls": "陥りやすい落とし穴",
           "cases": "他自治体の事例", "none": "なし", "context": "類似度"},
}


def assessment_text(a: Assessment, lang: str = "en", markdown: bool = False) -> str:
    """A readable report (terminal text or Markdown) in Japanese or English."""
    t = _T[lang]
    h1, h2, h3, bullet = ("# ", "## ", "### ", "- ") if markdown else ("", "== ", "-- ", "  • ")
    name = a.name_ja if lang == "ja" else a.name_en
    town = a.municipality_ja if lang == "ja" else a.municipality_en
    out = [f"{h1}{t['plan']}: {name} ({a.plan})", f"{t['town']}: {town} · {a.measures} {t['measures']}", ""]
    for key, items in (("principle", a.principles), ("driver", a.drivers)):
        done, total = a.coverage(key)
        title = t["principles"] if key == "principle" else t["drivers"]
        out.append(f"{h2}{title}: {done}/{total} {t['covered']}")
        for it in items:
            mark = "✓" if it.covered else "✗"
            out.append(f"{bullet}{mark} {key} {it.code} {_lab(it, lang)}"
                       + (f" — {t['served']}: {', '.join(s.measure for s in it.served_by)}" if it.covered else ""))
        missing = [it for it in items if not it.covered]
        if missing:
            out.append("")
            out.append(f"{h3}{t['missing']}: {', '.join(it.code for it in missing)}")
            for it in missing:
                out.extend(_gap(it, lang, bullet, markdown))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _lab(it: Item, lang: str) -> str:
    return it.label_ja if lang == "ja" else it.label_en


def _gap(it: Item, lang: str, bullet: str, markdown: bool) -> list[str]:
    t = _T[lang]
    indent = "  " if markdown else "    "
    out = [f"{bullet}{it.scheme} {it.code} {_lab(it, lang)}"]
    if it.pitfalls:
        out.append(f"{indent}{t['pitfalls']}:")
        for f in it.pitfalls:
            out.append(f"{indent}{bullet.strip()} {f['name_ja'] if lang == 'ja' else f['name_en']}")
    out.append(f"{indent}{t['cases']}:" + ("" if it.cases else f" {t['none']}" + (f" ({it.note})" if it.note else "")))
    for c in it.cases:
        name = c.name_ja if lang == "ja" else c.name_en
        town = c.municipality_ja if lang == "ja" else c.municipality_en
        out.append(f"{indent}{bullet.strip()} {name} — {town} [{c.practice}, {c.via}, {t['context']} {c.context:.2f}]"
                   f" 「{c.quote}」")
    return out


def assessment_json(a: Assessment) -> str:
    return json.dumps(a.as_dict(), ensure_ascii=False, indent=1) + "\n"
