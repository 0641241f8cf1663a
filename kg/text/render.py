"""`dxkg suggest`'s table: one block per passage, for a curator to read top to bottom."""

from __future__ import annotations

from kg.tables import pad as _pad
from kg.tables import width as _width
from kg.text.document import Document
from kg.text.draft import quote_of
from kg.text.suggest import PassageSuggestion

SCHEME_LABELS = {"ja": {"factor": "成功要因", "driver": "ドライバー", "principle": "7ヶ条"},
                 "en": {"factor": "factor", "driver": "driver", "principle": "principle"}}


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def render_table(doc: Document, results: list[PassageSuggestion], thresholds: dict[str, float], lang: str) -> str:
    names = SCHEME_LABELS[lang]
    line_starts = [0] + [i + 1 for i, ch in enumerate(doc.text) if ch == "\n"]

    def line(offset: int) -> int:
        import bisect

        return bisect.bisect_right(line_starts, offset)

    out = [f"{doc.path.name}: {len(results)} passages; ✓ = at or above the threshold ("
           + ", ".join(f"{names[s]} {t:.2f}" for s, t in thresholds.items() if s in names) + ")"]
    for n, ps in enumerate(results, 1):
        p = ps.passage
        where = f"line {line(p.start)}" + (f" · {p.section}" if p.section else "")
        more = " …" if len(p.sentences) > 1 else ""
        out += ["", f"[{n}] {where}", f"    「{quote_of(p.sentences[0].text)}」{more}"]
        rows = []
        evidence: dict[int, str] = {}
        for s in ps.suggestions:
            label = s.label_ja if lang == "ja" else s.label_en
            mark = "✓" if s.shown else " "
            at = line(s.evidence.start)
            evidence.setdefault(at, quote_of(s.evidence.text))
            rows.append((f"{names[s.scheme]} {s.code}", label, f"{s.score:.2f} {mark}", f"line {at}"))
        widths = [max(_width(r[i]) for r in rows) for i in range(3)]
        for r in rows:
            out.append("    " + " | ".join(_pad(r[i], widths[i]) for i in range(3)) + " | " + r[3])
        for at, sentence in sorted(evidence.items()):
            out.append(f"    line {at}: 「{sentence}」")
        for pr in ps.precedents:
            name = pr.name_ja if lang == "ja" else pr.name_en
            out.append(f"    ≈ {pr.id} ({pr.municipality}) {_cut(name, 40)}: 「{_cut(quote_of(pr.quote), 50)}」")
    return "\n".join(out)
