"""The Extract in columnar form: what `dxkg build` caches beside the store and what the fast analyses read.

Records become parallel lists (ids, labels, indices), sets become CSR rows over a sorted vocabulary
(`{"vocab", "ptr", "ix"}`), so loading is one json.loads of flat lists and the analyses turn
them into numpy arrays without a Python loop per record. Every table is sorted (initiatives by id,
the rest by IRI), so the same graph always gives the same bytes. The texts only the plan assessment
needs (practice names and quotes, tag rationales and quotes) live in a second part, read on demand.

`from_extract` and `to_extract` are exact inverses (tests/test_analysis.py checks it), so an analysis
gives the same answer from the cache as from a fresh SPARQL extract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.analysis.data import (
    Extract,
    Initiative,
    Label,
    Measure,
    Municipality,
    Pitfall,
    Plan,
    Practice,
    TagInfo,
)

VERSION = 1
# Keys of the text part: (table, column).
TEXT_COLUMNS = (("practices", "ja"), ("practices", "en"), ("practices", "quote"), ("tags", "rationale"),
                ("tags", "quote"))


def _csr(rows: Iterable[Iterable[str]], ordered: bool = False) -> dict[str, list[Any]]:
    """Rows of strings as {"vocab", "ptr", "ix"}; a set row is stored sorted, an ordered row as given."""
    rows = [list(r) if ordered else sorted(r) for r in rows]
    vocab = sorted({x for r in rows for x in r})
    at = {x: k for k, x in enumerate(vocab)}
    ptr, ix = [0], []
    for r in rows:
        ix.extend(at[x] for x in r)
        ptr.append(len(ix))
    return {"vocab": vocab, "ptr": ptr, "ix": ix}


def csr_rows(c: dict[str, list[Any]]) -> list[list[str]]:
    """The rows of a {"vocab", "ptr", "ix"} table as lists of strings."""
    vocab, ptr, ix = c["vocab"], c["ptr"], c["ix"]
    return [[vocab[k] for k in ix[ptr[r]:ptr[r + 1]]] for r in range(len(ptr) - 1)]


@dataclass
class Columns:
    """The columnar Extract: `core` (always loaded) and `text` (loaded by `load_text` when asked for)."""

    core: dict[str, Any]
    text: dict[str, Any] | None = None
    load_text: Any = field(default=None, repr=False)  # () -> text part; None when `text` is given

    def texts(self) -> dict[str, Any]:
        if self.text is None:
            self.text = self.load_text()
        return self.text


def from_extract(ex: Extract) -> Columns:
    """Columns of an Extract; deterministic: the same graph gives equal columns whatever the query order."""
    concepts = sorted(ex.concepts.items())
    prefs = sorted(ex.prefectures.items())
    munis = sorted(ex.municipalities.values(), key=lambda m: m.iri)
    inits = sorted(ex.initiatives.values(), key=lambda i: (i.id, i.iri))
    pracs = sorted(ex.practices.values(), key=lambda p: p.iri)
    plans = sorted(ex.plans.values(), key=lambda p: p.iri)
    measures = [me for p in plans for me in p.measures]
    init_at = {i.iri: k for k, i in enumerate(inits)}
    prac_at = {p.iri: k for k, p in enumerate(pracs)}
    all_tags = [t for p in pracs for t in p.tags] + [t for me in measures for t in me.tags]
    terms = sorted({(t.scheme, t.code) for t in all_tags})
    term_at = {t: k for k, t in enumerate(terms)}
    bases = sorted({t.basis for t in all_tags})
    basis_at = {b: k for k, b in enumerate(bases)}

    def ptr(groups: Iterable[int]) -> list[int]:
        out = [0]
        for n in groups:
            out.append(out[-1] + n)
        return out

    core = {
        "version": VERSION,
        "concepts": {"scheme": [s for (s, _), _ in concepts], "code": [c for (_, c), _ in concepts],
                     "ja": [lab.ja for _, lab in concepts], "en": [lab.en for _, lab in concepts]},
        "prefectures": {"iri": [k for k, _ in prefs], "id": [v[0] for _, v in prefs],
                        "ja": [v[1].ja for _, v in prefs], "en": [v[1].en for _, v in prefs]},
        "municipalities": {"iri": [m.iri for m in munis], "id": [m.id for m in munis],
                           "code": [m.code for m in munis], "ja": [m.name.ja for m in munis],
                           "en": [m.name.en for m in munis], "prefecture": [m.prefecture for m in munis],
                           "population": [m.population for m in munis], "ageing": [m.ageing for m in munis]},
        "initiatives": {"iri": [i.iri for i in inits], "id": [i.id for i in inits],
                        "ja": [i.name.ja for i in inits], "en": [i.name.en for i in inits],
                        "alt": [i.alt_names for i in inits],
                        "municipalities": _csr((i.municipalities for i in inits), ordered=True),
                        "prefectures": _csr(i.prefectures for i in inits),
                        "domains": _csr(i.domains for i in inits),
                        "technologies": _csr(i.technologies for i in inits),
                        "stakeholders": _csr(i.stakeholder_types for i in inits),
                        "practice_ptr": ptr(len(i.practices) for i in inits),
                        "practices": [prac_at[p] for i in inits for p in i.practices]},
        "practices": {"iri": [p.iri for p in pracs], "id": [p.id for p in pracs],
                      "initiative": [init_at[p.initiative] for p in pracs],
                      "tag_ptr": ptr(len(p.tags) for p in pracs)},
        "terms": {"scheme": [s for s, _ in terms], "code": [c for _, c in terms]},
        "bases": bases,
        "tags": {"term": [term_at[(t.scheme, t.code)] for t in all_tags],
                 "basis": [basis_at[t.basis] for t in all_tags]},
        "plans": {"iri": [p.iri for p in plans], "id": [p.id for p in plans], "ja": [p.name.ja for p in plans],
                  "en": [p.name.en for p in plans], "municipality": [p.municipality for p in plans],
                  "measure_ptr": ptr(len(p.measures) for p in plans)},
        "measures": {"iri": [me.iri for me in measures], "id": [me.id for me in measures],
                     "ja": [me.name.ja for me in measures], "en": [me.name.en for me in measures],
                     "quote": [me.quote for me in measures],
                     "tag_ptr": ptr(len(me.tags) for me in measures)},
        "pitfalls": {"id": [f.id for f in ex.pitfalls], "principle": [f.principle for f in ex.pitfalls],
                     "ja": [f.name.ja for f in ex.pitfalls], "en": [f.name.en for f in ex.pitfalls],
                     "description_ja": [f.description.ja for f in ex.pitfalls],
                     "description_en": [f.description.en for f in ex.pitfalls]},
        "related": {k: [list(x) for x in v] for k, v in sorted(ex.related.items())},
    }
    text = {"practices": {"ja": [p.name.ja for p in pracs], "en": [p.name.en for p in pracs],
                          "quote": [p.quote for p in pracs]},
            "tags": {"rationale": [t.rationale for t in all_tags], "quote": [t.quote for t in all_tags]}}
    return Columns(core, text)


def to_extract(col: Columns) -> Extract:
    """The Extract the columns were made from (equal to it, field by field)."""
    c, t = col.core, col.texts()
    cc = c["concepts"]
    concepts = {(s, k): Label(ja, en) for s, k, ja, en in zip(cc["scheme"], cc["code"], cc["ja"], cc["en"],
                                                              strict=True)}
    pc = c["prefectures"]
    prefs = {iri: (ident, Label(ja, en)) for iri, ident, ja, en in zip(pc["iri"], pc["id"], pc["ja"], pc["en"],
                                                                      strict=True)}
    mc = c["municipalities"]
    munis = {iri: Municipality(iri, ident, code, Label(ja, en), pref, pop, age)
             for iri, ident, code, ja, en, pref, pop, age in zip(
                 mc["iri"], mc["id"], mc["code"], mc["ja"], mc["en"], mc["prefecture"], mc["population"],
                 mc["ageing"], strict=True)}
    terms = list(zip(c["terms"]["scheme"], c["terms"]["code"], strict=True))
    bases = c["bases"]
    tags = [TagInfo(*terms[term], bases[basis], why, quote)
            for term, basis, why, quote in zip(c["tags"]["term"], c["tags"]["basis"], t["tags"]["rationale"],
                                               t["tags"]["quote"], strict=True)]
    ic, prc, tp = c["initiatives"], c["practices"], t["practices"]
    iris = ic["iri"]
    pracs = {}
    pptr = prc["tag_ptr"]
    for k, iri in enumerate(prc["iri"]):
        pracs[iri] = Practice(iri, prc["id"][k], iris[prc["initiative"][k]], Label(tp["ja"][k], tp["en"][k]),
                              tp["quote"][k], tags[pptr[k]:pptr[k + 1]])
    inits = {}
    rows = {key: csr_rows(ic[key]) for key in ("municipalities", "prefectures", "domains", "technologies",
                                               "stakeholders")}
    iptr, ipr = ic["practice_ptr"], ic["practices"]
    for k, iri in enumerate(iris):
        inits[iri] = Initiative(iri, ic["id"][k], Label(ic["ja"][k], ic["en"][k]), list(ic["alt"][k]),
                                rows["municipalities"][k], set(rows["prefectures"][k]), set(rows["domains"][k]),
                                set(rows["technologies"][k]), set(rows["stakeholders"][k]),
                                [prc["iri"][p] for p in ipr[iptr[k]:iptr[k + 1]]])
    mec, base = c["measures"], prc["tag_ptr"][-1]  # measure tags follow the practice tags
    mptr = mec["tag_ptr"]
    measures = [Measure(iri, mec["id"][k], Label(mec["ja"][k], mec["en"][k]), mec["quote"][k],
                        tags[base + mptr[k]:base + mptr[k + 1]]) for k, iri in enumerate(mec["iri"])]
    plc = c["plans"]
    plans = {iri: Plan(iri, plc["id"][k], Label(plc["ja"][k], plc["en"][k]), plc["municipality"][k],
                       measures[plc["measure_ptr"][k]:plc["measure_ptr"][k + 1]])
             for k, iri in enumerate(plc["iri"])}
    fc = c["pitfalls"]
    pits = [Pitfall(ident, pr, Label(ja, en), Label(dja, den)) for ident, pr, ja, en, dja, den in zip(
        fc["id"], fc["principle"], fc["ja"], fc["en"], fc["description_ja"], fc["description_en"], strict=True)]
    related = {k: [(s, code) for s, code in v] for k, v in c["related"].items()}
    return Extract(munis, prefs, inits, pracs, plans, concepts, pits, related)


def to_initiative(col: Columns, k: int) -> Initiative:
    """Row `k` of the initiatives as an Initiative (as in to_extract, without building the rest)."""
    ic, c = col.core["initiatives"], col.core
    sets = {key: [ic[key]["vocab"][j] for j in ic[key]["ix"][ic[key]["ptr"][k]:ic[key]["ptr"][k + 1]]]
            for key in ("municipalities", "prefectures", "domains", "technologies", "stakeholders")}
    pr = ic["practices"][ic["practice_ptr"][k]:ic["practice_ptr"][k + 1]]
    return Initiative(ic["iri"][k], ic["id"][k], Label(ic["ja"][k], ic["en"][k]), list(ic["alt"][k]),
                      sets["municipalities"], set(sets["prefectures"]), set(sets["domains"]),
                      set(sets["technologies"]), set(sets["stakeholders"]), [c["practices"]["iri"][p] for p in pr])
