"""The numeric index the fast analyses run on: flat numpy arrays derived from the columns.

Co-occurrence needs the initiative → practice → tag links and the codes; `similar` needs, per
initiative, its feature sets as CSR rows (one count of shared entries scores a query against all), its
lead municipality's population band and 65+ share, the source of each initiative and tag (for the
reliability filter), and the word vectors of kg.analysis.words (so only a free-text query needs the
tokeniser). `dxkg build` saves the index beside the store
as `analysis-index.npz` (plain arrays, no pickle, fixed zip timestamps so the bytes are
reproducible), which loads in milliseconds at national scale where parsing JSON would not.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.analysis.arrays import expand
from kg.analysis.records import Extract

if TYPE_CHECKING:
    from kg.analysis.words import Terms

SETS = ("domains", "technologies", "stakeholders", "prefectures")
# How far a source is trusted, most first: a reliability filter keeps the sources ranked at or above it.
RELIABILITY_RANK = {"primary": 0, "secondary": 1}
# Population bands (upper bounds): villages and small towns, towns, small cities, cities, large cities.
BANDS = (10_000, 50_000, 200_000, 1_000_000)


@dataclass
class Index:
    """Named numpy arrays (see build_index for the names); a loaded index reads each on first use."""

    arrays: dict[str, Any]
    npz: Any = None  # the numpy NpzFile of a loaded index
    derived: dict[str, Any] = field(default_factory=dict)  # what readers make from the arrays once (not saved)

    def __getitem__(self, key: str) -> Any:
        if key not in self.arrays and self.npz is not None:
            self.arrays[key] = self.npz[key]
        return self.arrays[key]

    def names(self) -> list[str]:
        return sorted(set(self.arrays) | set(self.npz.files if self.npz is not None else ()))

    def row(self, name: str, k: int) -> list[int]:
        ptr = self[f"{name}_ptr"]
        return self[f"{name}_ix"][ptr[k]:ptr[k + 1]].tolist()

    def string(self, name: str, k: int) -> str:
        """The k-th string of a text column (see text_column)."""
        ptr = self[f"{name}_ptr"]
        return bytes(self[f"{name}_blob"][ptr[k]:ptr[k + 1]]).decode("utf-8")

    def strings(self, name: str) -> list[str]:
        """Every string of a text column."""
        ptr, blob = self[f"{name}_ptr"].tolist(), bytes(self[f"{name}_blob"])
        return [blob[ptr[k]:ptr[k + 1]].decode("utf-8") for k in range(len(ptr) - 1)]


def _strings(values: list[str]) -> Any:
    import numpy as np

    return np.array(values, dtype=str) if values else np.zeros(0, dtype="U1")


def text_column(name: str, values: list[str]) -> dict[str, Any]:
    """Many strings as one UTF-8 blob and offsets (`{name}_blob`, `{name}_ptr`): a fixed-width numpy
    string array takes four bytes per character of the longest, which at national scale is megabytes
    that every answer would read; read with Index.string / Index.strings."""
    import numpy as np

    encoded = [v.encode("utf-8") for v in values]
    ptr = np.concatenate([[0], np.cumsum([len(e) for e in encoded], dtype=np.int64)]).astype(np.int64)
    return {f"{name}_blob": np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), f"{name}_ptr": ptr}


def build_index(ex: Extract, tokeniser: Terms | None = None) -> Index:
    """The numeric index of an Extract (what the cache saves; equal whether built now or loaded);
    `tokeniser` makes the word vectors' terms (a kg.text.tokens.TermMemo remembers them across builds).

    Initiatives are in IRI order (the order of the cached table: by id, as all share one prefix), so
    ties broken by row order are broken by id.
    """
    from kg.analysis.words import build_words

    # The word vectors first: their texts are tokenised by several processes (TermMemo.learn), and a process is
    # forked only while it runs one thread, which it no longer does once numpy is imported (OpenBLAS starts
    # its threads then).
    words = build_words(ex, tokeniser)
    import numpy as np

    inits = [ex.initiatives[k] for k in sorted(ex.initiatives)]
    pracs = sorted(ex.practices)
    prac_at = {iri: k for k, iri in enumerate(pracs)}
    practice_rows = [ex.practices[iri] for iri in pracs]
    all_tags = [t for p in practice_rows for t in p.tags]
    terms = sorted({(t.scheme, t.code) for t in all_tags})
    term_at = {t: k for k, t in enumerate(terms)}
    bases = sorted({t.basis for t in all_tags})
    concepts = sorted(ex.concepts, key=lambda c: (c.scheme, c.code))
    prefs = [ex.prefectures[k] for k in sorted(ex.prefectures)]
    n = len(inits)

    def ptr(lengths: list[int]) -> Any:
        return np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)

    sources = sorted({*(s.id for s in ex.sources.values()), *(i.source for i in inits), *(t.source for t in all_tags)})
    source_at = {sid: k for k, sid in enumerate(sources)}
    a: dict[str, Any] = {
        "source_rank": np.asarray([RELIABILITY_RANK.get(ex.reliability(sid), len(RELIABILITY_RANK))
                                   for sid in sources], dtype=np.int64),
        "init_source": np.asarray([source_at[i.source] for i in inits], dtype=np.int64),
        "tag_source": np.asarray([source_at[t.source] for t in all_tags], dtype=np.int64),
        "init_practice_ptr": ptr([len(i.practices) for i in inits]),
        "init_practices": np.asarray([prac_at[p] for i in inits for p in i.practices if p in prac_at], dtype=np.int64),
        "practice_tag_ptr": ptr([len(p.tags) for p in practice_rows]),
        "tag_term": np.asarray([term_at[(t.scheme, t.code)] for t in all_tags], dtype=np.int64),
        "tag_basis": np.asarray([bases.index(t.basis) for t in all_tags], dtype=np.int64),
    }
    a.update(text_column("init_ja", [i.name.ja for i in inits]))
    a.update(text_column("init_en", [i.name.en for i in inits]))
    for k, v in {"init_id": [i.id for i in inits], "term_scheme": [s for s, _ in terms],
                 "term_code": [c for _, c in terms], "bases": bases,
                 "concept_scheme": [c.scheme for c in concepts], "concept_code": [c.code for c in concepts],
                 "concept_ja": [c.name.ja for c in concepts], "concept_en": [c.name.en for c in concepts],
                 "concept_group": [c.group for c in concepts], "source_id": sources,
                 "pref_iri": [p.iri for p in prefs], "pref_id": [p.id for p in prefs],
                 "pref_ja": [p.name.ja for p in prefs], "pref_en": [p.name.en for p in prefs]}.items():
        a[k] = _strings(v)
    for part in SETS:
        rows = [sorted(getattr(i, part)) for i in inits]
        vocab = sorted({x for r in rows for x in r})
        at = {x: j for j, x in enumerate(vocab)}
        a[f"{part}_ptr"] = ptr([len(r) for r in rows])
        a[f"{part}_ix"] = np.asarray([at[x] for r in rows for x in r], dtype=np.int64)
        a[f"{part}_vocab"] = _strings(vocab)
    # Factors and drivers of an initiative: the codes on any of its practices, each once.
    iptr = a["init_practice_ptr"]
    of_init, pos = expand(iptr[:-1], np.diff(iptr))
    prac = a["init_practices"][pos]
    tptr = a["practice_tag_ptr"]
    of_pair, tag = expand(tptr[prac], np.diff(tptr)[prac])
    rows_, tterms = of_init[of_pair], a["tag_term"][tag]
    scheme = a["term_scheme"]
    for part in ("factors", "drivers"):
        keep = scheme[tterms] == part[:-1] if len(tterms) else np.zeros(0, dtype=bool)
        pairs = np.unique(rows_[keep] * max(1, len(scheme)) + tterms[keep])  # sorted by row, then code
        r, t = np.divmod(pairs, max(1, len(scheme)))
        a[f"{part}_ptr"] = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=n))]).astype(np.int64)
        a[f"{part}_ix"] = t.astype(np.int64)
        a[f"{part}_vocab"] = a["term_code"]
    # The lead municipality (the first of an initiative's that the graph has) gives its context.
    munis = sorted(ex.municipalities)
    at = {iri: k for k, iri in enumerate(munis)}
    places_ptr, places_ix, lead = [0], [], []
    for i in inits:
        known = [at[m] for m in i.municipalities if m in at]
        places_ix += known
        places_ptr.append(len(places_ix))
        lead.append(known[0] if known else -1)
    leads = [ex.municipalities[munis[m]] if m >= 0 else None for m in lead]
    a["lead_band"] = np.array([np.nan if r is None or r.population is None else sum(r.population >= b for b in BANDS)
                               for r in leads], dtype=float)
    a["lead_ageing"] = np.array([np.nan if r is None or r.ageing is None else r.ageing for r in leads], dtype=float)
    a["places_ptr"] = np.asarray(places_ptr, dtype=np.int64)
    a["places_ix"] = np.asarray(places_ix, dtype=np.int64)
    a["muni_ja"] = _strings([ex.municipalities[m].name.ja for m in munis])
    a["muni_en"] = _strings([ex.municipalities[m].name.en for m in munis])
    a.update(words)
    a.update(_names(ex))
    a.update(_measures(ex))
    return Index(a)


def _measures(ex: Extract) -> dict[str, Any]:
    """Plan measures in the order of measure_words_id (by IRI), as `similar MEASURE` reads them: names,
    domains, technologies, driver tags with their basis, and the plan's town (name, band, 65+ share)."""
    import numpy as np

    rows = sorted(((m, p) for p in ex.plans.values() for m in p.measures), key=lambda mp: mp[0].iri)
    towns = [ex.municipalities.get(p.municipality) for _, p in rows]
    a: dict[str, Any] = {**text_column("measure_ja", [m.name.ja for m, _ in rows]),
                         **text_column("measure_en", [m.name.en for m, _ in rows]),
                         **text_column("measure_town_ja", [t.name.ja if t else "" for t in towns]),
                         **text_column("measure_town_en", [t.name.en if t else "" for t in towns])}
    for part in ("domains", "technologies"):
        sets = [sorted(getattr(m, part)) for m, _ in rows]
        a.update(text_column(f"measure_{part}", [" ".join(x) for x in sets]))  # ids have no spaces
    tags = [[t for t in m.tags if t.scheme == "driver"] for m, _ in rows]
    a.update(text_column("measure_drivers", [" ".join(f"{t.code}:{t.basis}" for t in ts) for ts in tags]))
    a["measure_band"] = np.array([np.nan if t is None or t.population is None else sum(t.population >= b for b in BANDS)
                                  for t in towns], dtype=float)
    a["measure_ageing"] = np.array([np.nan if t is None or t.ageing is None else t.ageing for t in towns], dtype=float)
    return a


def _names(ex: Extract) -> dict[str, Any]:
    """Every initiative's and plan measure's names, normalised as kg.names reads them (ids, Japanese and
    English names, alternative names), so `similar` tells a name from free words without the resolver."""
    from kg.names import normalise

    rows: set[tuple[str, str, str]] = set()
    for i in ex.initiatives.values():
        for name in (i.id, i.name.ja, i.name.en, *i.alt_names):
            if name:
                rows.add((normalise(name), "Initiative", i.id))
    for p in ex.plans.values():
        for m in p.measures:
            for name in (m.id, m.name.ja, m.name.en):
                if name:
                    rows.add((normalise(name), "PlannedMeasure", m.id))
    import numpy as np

    ordered = sorted(rows)
    return {**text_column("name_norm", [r[0] for r in ordered]), **text_column("name_id", [r[2] for r in ordered]),
            "name_measure": np.array([r[1] == "PlannedMeasure" for r in ordered], dtype=bool)}


def index_bytes(index: Index) -> bytes:
    """The arrays as an .npz (readable with numpy.load) with fixed timestamps: same index, same bytes."""
    import numpy as np

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in index.names():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(index[name]), allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue())
    return archive.getvalue()


def save_index(index: Index, path: Path) -> None:
    """Write the index as index_bytes gives it."""
    from kg.files import write_atomic

    write_atomic(path, index_bytes(index))


def load_index(path: Path) -> Index:
    """An index saved by save_index, each array read from the file when first used: an answer reads
    only what it needs (an initiative's neighbours need not read the practices' word vectors)."""
    import numpy as np

    return Index({}, np.load(path, allow_pickle=False))
