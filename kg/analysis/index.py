"""The numeric index the fast analyses run on: flat numpy arrays derived from the columns.

Co-occurrence needs the initiative → practice → tag links and the codes; `similar` needs, per
initiative, its feature sets as CSR rows (one count of shared entries scores a query against all) and its
lead municipality's population band and 65+ share. `dxkg build` saves the index beside the store
as `analysis-index.npz` (plain arrays, no pickle, fixed zip timestamps so the bytes are
reproducible), which loads in milliseconds at national scale where parsing JSON would not.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.analysis.columns import Columns

SETS = ("domains", "technologies", "stakeholders", "prefectures")
# Population bands (upper bounds): villages and small towns, towns, small cities, cities, large cities.
BANDS = (10_000, 50_000, 200_000, 1_000_000)


@dataclass
class Index:
    """Named numpy arrays (see build_index for the names); a loaded index reads each on first use."""

    arrays: dict[str, Any]
    npz: Any = None  # the numpy NpzFile of a loaded index

    def __getitem__(self, key: str) -> Any:
        if key not in self.arrays and self.npz is not None:
            self.arrays[key] = self.npz[key]
        return self.arrays[key]

    def names(self) -> list[str]:
        return sorted(set(self.arrays) | set(self.npz.files if self.npz is not None else ()))

    def row(self, name: str, k: int) -> list[int]:
        ptr = self[f"{name}_ptr"]
        return self[f"{name}_ix"][ptr[k]:ptr[k + 1]].tolist()


def expand(starts: Any, lengths: Any) -> tuple[Any, Any]:
    """For CSR row ranges [start, start + length): (the range each element is in, the element positions)."""
    import numpy as np

    lengths = np.asarray(lengths, dtype=np.int64)
    group = np.repeat(np.arange(len(lengths)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return group, np.repeat(np.asarray(starts, dtype=np.int64), lengths) + offsets


def _strings(values: list[str]) -> Any:
    import numpy as np

    return np.array(values, dtype=str) if values else np.zeros(0, dtype="U1")


def build_index(col: Columns) -> Index:
    """The index of a set of columns (what the cache saves; equal whether built now or loaded)."""
    import numpy as np

    c = col.core
    ic, prc = c["initiatives"], c["practices"]
    n = len(ic["id"])
    ints = {"init_practice_ptr": ic["practice_ptr"], "init_practices": ic["practices"],
            "practice_tag_ptr": prc["tag_ptr"], "tag_term": c["tags"]["term"], "tag_basis": c["tags"]["basis"]}
    a: dict[str, Any] = {k: np.asarray(v, dtype=np.int64) for k, v in ints.items()}
    for k, v in {"init_id": ic["id"], "init_ja": ic["ja"], "init_en": ic["en"], "term_scheme": c["terms"]["scheme"],
                 "term_code": c["terms"]["code"], "bases": c["bases"], "concept_scheme": c["concepts"]["scheme"],
                 "concept_code": c["concepts"]["code"], "concept_ja": c["concepts"]["ja"],
                 "concept_en": c["concepts"]["en"], "pref_iri": c["prefectures"]["iri"],
                 "pref_id": c["prefectures"]["id"], "pref_ja": c["prefectures"]["ja"],
                 "pref_en": c["prefectures"]["en"]}.items():
        a[k] = _strings(v)
    for part in SETS:
        a[f"{part}_ptr"] = np.asarray(ic[part]["ptr"], dtype=np.int64)
        a[f"{part}_ix"] = np.asarray(ic[part]["ix"], dtype=np.int64)
        a[f"{part}_vocab"] = _strings(ic[part]["vocab"])
    # Factors and drivers of an initiative: the codes on any of its practices, each once.
    iptr = a["init_practice_ptr"]
    of_init, pos = expand(iptr[:-1], np.diff(iptr))
    prac = a["init_practices"][pos]
    tptr = a["practice_tag_ptr"]
    of_pair, tag = expand(tptr[prac], np.diff(tptr)[prac])
    rows, terms = of_init[of_pair], a["tag_term"][tag]
    scheme = a["term_scheme"]
    for part in ("factors", "drivers"):
        keep = scheme[terms] == part[:-1] if len(terms) else np.zeros(0, dtype=bool)
        pairs = np.unique(rows[keep] * max(1, len(scheme)) + terms[keep])  # sorted by row, then code
        r, t = np.divmod(pairs, max(1, len(scheme)))
        a[f"{part}_ptr"] = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=n))]).astype(np.int64)
        a[f"{part}_ix"] = t.astype(np.int64)
        a[f"{part}_vocab"] = a["term_code"]
    # The lead municipality (the first of an initiative's that the graph has) gives its context.
    mc, mt = c["municipalities"], ic["municipalities"]
    at = {iri: k for k, iri in enumerate(mc["iri"])}
    places_ptr, places_ix, lead = [0], [], []
    for r in range(n):
        known = [at[mt["vocab"][j]] for j in mt["ix"][mt["ptr"][r]:mt["ptr"][r + 1]] if mt["vocab"][j] in at]
        places_ix += known
        places_ptr.append(len(places_ix))
        lead.append(known[0] if known else -1)
    pop = [mc["population"][m] if m >= 0 else None for m in lead]
    a["lead_band"] = np.array([np.nan if p is None else sum(p >= b for b in BANDS) for p in pop], dtype=float)
    a["lead_ageing"] = np.array([np.nan if m < 0 or mc["ageing"][m] is None else mc["ageing"][m] for m in lead],
                                dtype=float)
    a["places_ptr"] = np.asarray(places_ptr, dtype=np.int64)
    a["places_ix"] = np.asarray(places_ix, dtype=np.int64)
    a["muni_ja"] = _strings(mc["ja"])
    return Index(a)


def save_index(index: Index, path: Path) -> None:
    """Write the arrays as an .npz (readable with numpy.load) with fixed timestamps: same index, same bytes."""
    import numpy as np

    from kg.files import write_atomic

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in index.names():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(index[name]), allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue())
    write_atomic(path, archive.getvalue())


def load_index(path: Path) -> Index:
    """An index saved by save_index: the file is read at once, each array parsed when first used."""
    import numpy as np

    return Index({}, np.load(io.BytesIO(path.read_bytes()), allow_pickle=False))
