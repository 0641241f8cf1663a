"""Rendering analysis answers: rows as table, CSV or JSON; a plan assessment as text, Markdown or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from kg.analysis.assessment import Assessment

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


def assessment_text(a: Assessment, lang: str = "ja", markdown: bool = False) -> str:
    """A plan assessment as terminal text or Markdown (kg.analysis.report)."""
    from kg.analysis.report import assessment_text as text

    return text(a, lang, markdown)


def assessment_json(a: Assessment) -> str:
    """A plan assessment as JSON: everything Assessment.as_dict holds."""
    return json.dumps(a.as_dict(), ensure_ascii=False, indent=1) + "\n"
