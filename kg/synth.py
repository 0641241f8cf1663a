"""Synthetic national-scale data in data/'s own layout, for running every command at 15, 174 or 1,741 municipalities.

The shape follows the real data (initiatives with practices, tags, stakeholders and outcomes; drivers 2
and 3 common, 4, 7 and 8 rare) scaled so that 1,741 municipalities give about 1.6 M triples. Nothing
here is real: names, quotes and figures are invented, the quotes say so, and sources.yaml marks the
one synthetic source as such. Build it with `dxkg build --no-sources` (there is no source text).
Only `random.Random(seed)` is used, so the same seed writes byte-identical files.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.codes import full_code

SOURCE_ID = "synthetic_0000000000000000"
COPIED_FILES = ("framework.yaml", "vocab.yaml", "prefectures.yaml")
FACTORS = "ABCDEF"
# Relative tag frequencies, skewed as in the real data: drivers 2 and 3 common, 4, 7 and 8 rare.
FACTOR_WEIGHTS = (30, 22, 18, 12, 10, 8)
DRIVER_WEIGHTS = (8, 22, 20, 2, 8, 7, 2, 2, 9, 7, 6, 7)
PRINCIPLE_WEIGHTS = (12, 10, 9, 8, 7, 6, 5)
KINDS = (("city", 0.45), ("town", 0.4), ("village", 0.13), ("special-ward", 0.02))
MAX_INITIATIVES = 30  # per municipality (mean 15.5): about 1.6 M triples at 1,741 municipalities
SHARED_STAKEHOLDER_SHARE = 0.3  # participations that name a stakeholder from another municipality

_THEMES = (
    ("見守り", "monitoring"), ("予約", "booking"), ("情報共有", "information sharing"), ("遠隔支援", "remote support"),
    ("データ連携", "data linkage"), ("電子申請", "online application"), ("配送", "delivery"), ("案内", "guidance"),
)
_ORGS = (
    ("株式会社", "Co., Ltd.", "company"), ("大学", "University", "university"), ("NPO法人", "NPO", "npo"),
    ("協議会", "Council", "association"), ("医療センター", "Medical Centre", "medical-institution"),
    ("通信", "Telecom", "telecom-operator"), ("交通", "Transport", "transport-operator"),
    ("研究所", "Research Institute", "research-institute"), ("住民会", "Residents' Association", "residents"),
)
_INDICATORS = (("利用者数", "users", "persons"), ("削減時間", "hours saved", "hours"),
               ("導入件数", "deployments", "cases"), ("満足度", "satisfaction", "%"))


@dataclass(frozen=True)
class SynthResult:
    """What `write_synthetic` wrote."""

    municipalities: int
    initiatives: int
    practices: int
    stakeholders: int
    files: int


def _vocab_ids(real_data: Path) -> dict[str, list[str]]:
    import yaml

    doc = yaml.safe_load((real_data / "vocab.yaml").read_text(encoding="utf-8"))
    return {key: [v["id"] for v in doc[key]] for key in ("domains", "technologies", "stakeholder_types")}


def _prefectures(real_data: Path) -> list[tuple[str, str, str]]:
    """(id, two-digit code prefix, Japanese name) of every prefecture in the real data."""
    import yaml

    doc = yaml.safe_load((real_data / "prefectures.yaml").read_text(encoding="utf-8"))
    return [(p["id"], p["code"][:2], p["name"]["ja"]) for p in doc["prefectures"]]


def _quote(rng: random.Random, what: str) -> str:
    return f"（合成データ・実在しない）{what} #{rng.randrange(10**6):06d}"


def _tags(rng: random.Random, codes: list[Any], weights: tuple[int, ...], k: int, what: str) -> list[dict[str, Any]]:
    chosen: list[Any] = []
    while len(chosen) < k:
        code = rng.choices(codes, weights)[0]
        if code not in chosen:
            chosen.append(code)
    out = []
    for code in chosen:
        if rng.random() < 0.4:
            out.append({"code": code, "basis": "explicit"})
        else:
            out.append({"code": code, "basis": "inferred",
                        "rationale": f"Synthetic tag: the invented {what} is read as an instance of {code}."})
    return out


def generate(municipalities: int, seed: int, real_data: Path) -> tuple[dict[str, dict[str, Any]], SynthResult]:
    """The synthetic case files as {file name: YAML document}, from `random.Random(seed)` only."""
    if municipalities < 1:
        raise ValueError(f"need at least one municipality, got {municipalities}")
    rng = random.Random(seed)
    vocab = _vocab_ids(real_data)
    prefs = _prefectures(real_data)
    kinds = [k for k, _ in KINDS]
    kind_w = [w for _, w in KINDS]
    if municipalities > len(prefs) * 900:
        raise ValueError(f"at most {len(prefs) * 900} municipalities can be given distinct codes")

    # Municipalities: distinct five-digit codes under a prefecture's prefix, check digit added.
    munis: list[dict[str, Any]] = []
    used: set[str] = set()
    while len(munis) < municipalities:
        pid, prefix, pja = prefs[rng.randrange(len(prefs))]
        five = f"{prefix}{rng.randrange(100, 1000):03d}"
        if five in used:
            continue
        used.add(five)
        code = full_code(five)
        kind = rng.choices(kinds, kind_w)[0]
        suffix = {"city": ("市", "City"), "town": ("町", "Town"), "village": ("村", "Village"),
                  "special-ward": ("区", "Ward")}[kind]
        munis.append({"id": f"m{code}", "code": code, "kind": kind, "prefecture": pid,
                      "name": {"ja": f"合成{suffix[0]}{code}", "en": f"Synthetic {suffix[1]} {code}"},
                      "_pref_ja": pja})
    munis.sort(key=lambda x: x["code"])

    # Stakeholders: a few based in each municipality, some of them reused by others' initiatives.
    local: dict[str, list[str]] = {}
    stakeholders: dict[str, list[dict[str, Any]]] = {}
    for mu in munis:
        items = []
        for j in range(rng.randint(2, 4)):
            org_ja, org_en, stype = _ORGS[rng.randrange(len(_ORGS))]
            sid = f"{mu['id']}-s{j}"
            items.append({"id": sid, "name": {"ja": f"{mu['name']['ja']}{org_ja}{j}",
                                               "en": f"{mu['name']['en']} {org_en} {j}"},
                          "type": stype, "municipality": mu["id"]})
        stakeholders[mu["id"]] = items
        local[mu["id"]] = [s["id"] for s in items]
    all_stakeholders = [sid for mu in munis for sid in local[mu["id"]]]

    docs: dict[str, dict[str, Any]] = {}
    n_init = n_prac = 0
    for mu in munis:
        mid = mu["id"]
        population = rng.randint(800, 400_000)
        muni = {k: v for k, v in mu.items() if not k.startswith("_")}
        muni["figures"] = [{"kind": "population", "value": population, "date": "2023-01", "source": SOURCE_ID,
                            "quote": _quote(rng, f"人口{population}人")}]
        initiatives = []
        for i in range(rng.randint(1, MAX_INITIATIVES)):
            iid = f"{mid}-i{i}"
            theme_ja, theme_en = _THEMES[rng.randrange(len(_THEMES))]
            domain = vocab["domains"][rng.randrange(len(vocab["domains"]))]
            init: dict[str, Any] = {
                "id": iid, "municipalities": [mid],
                "name": {"ja": f"{mu['name']['ja']}の{theme_ja}事業{i}", "en": f"{mu['name']['en']} {theme_en} {i}"},
                "domains": [domain],
                "technologies": rng.sample(vocab["technologies"], rng.randint(1, 2)),
                "source": SOURCE_ID, "quote": _quote(rng, f"{theme_ja}事業"),
            }
            parts: list[dict[str, Any]] = []
            for _ in range(rng.randint(1, 2)):
                pool = all_stakeholders if rng.random() < SHARED_STAKEHOLDER_SHARE else local[mid]
                sid = pool[rng.randrange(len(pool))]
                if all(p["stakeholder"] != sid for p in parts):
                    parts.append({"stakeholder": sid, "quote": _quote(rng, "参画")})
            init["stakeholders"] = parts
            if rng.random() < 0.5:
                ind_ja, ind_en, unit = _INDICATORS[rng.randrange(len(_INDICATORS))]
                init["outcomes"] = [{"id": f"{iid}-o0", "indicator": {"ja": ind_ja, "en": ind_en},
                                     "value": rng.randint(1, 5000), "unit": unit, "quote": _quote(rng, ind_ja)}]
            practices = []
            for p in range(rng.randint(1, 2)):
                prac: dict[str, Any] = {
                    "id": f"{iid}-p{p}",
                    "name": {"ja": f"{theme_ja}の工夫{p}", "en": f"{theme_en} practice {p}"},
                    "quote": _quote(rng, "工夫"),
                    "factors": _tags(rng, list(FACTORS), FACTOR_WEIGHTS, 1, "practice"),
                }
                if rng.random() < 0.6:
                    prac["drivers"] = _tags(rng, list(range(1, 13)), DRIVER_WEIGHTS, rng.randint(1, 2), "practice")
                practices.append(prac)
            init["practices"] = practices
            n_prac += len(practices)
            initiatives.append(init)
        n_init += len(initiatives)
        doc: dict[str, Any] = {"municipalities": [muni], "stakeholders": stakeholders[mid], "initiatives": initiatives}
        if rng.random() < 0.05:
            measures = []
            for k in range(rng.randint(2, 4)):
                measures.append({"id": f"{mid}-plan-m{k}", "name": {"ja": f"施策{k}", "en": f"Measure {k}"},
                                 "quote": _quote(rng, f"施策{k}"),
                                 "principles": _tags(rng, list(range(1, 8)), PRINCIPLE_WEIGHTS, 1, "measure")})
            doc["plans"] = [{"id": f"{mid}-plan", "municipality": mid, "date": "2024-04",
                             "name": {"ja": f"{mu['name']['ja']}DX推進計画", "en": f"{mu['name']['en']} DX plan"},
                             "source": SOURCE_ID, "quote": _quote(rng, "計画"), "measures": measures}]
        docs[f"cases/{mid}.yaml"] = doc
    result = SynthResult(municipalities, n_init, n_prac, len(all_stakeholders), len(docs) + 1 + len(COPIED_FILES))
    return docs, result


def synthetic_source() -> dict[str, Any]:
    return {"id": SOURCE_ID, "kind": "report", "reliability": "secondary",
            "title": {"ja": "合成データ（実在しない自治体・事業）",
                      "en": "Synthetic data (no real municipality or initiative)"},
            "note": {"en": "SYNTHETIC: generated by `dxkg synth` for scale tests; every quote is invented and "
                           "there is no source text. Build with --no-sources."}}


def _dump(doc: Any) -> bytes:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the C emitter, when present, is ~10× faster
    return yaml.dump(doc, Dumper=dumper, allow_unicode=True, sort_keys=False, width=200).encode("utf-8")


def write_synthetic(out_dir: Path, municipalities: int, seed: int = 0, real_data: Path | None = None,
                    overwrite: bool = False, progress: Callable[[str], None] | None = None) -> SynthResult:
    """Write a synthetic data folder to `out_dir`; a non-empty one only with `overwrite` (old cases are removed)."""
    import yaml

    from kg.files import write_atomic
    from kg.paths import packaged_data_dir

    say = progress or (lambda _msg: None)
    real = real_data or packaged_data_dir()
    for name in COPIED_FILES + ("sources.yaml",):
        if not (real / name).is_file():
            raise FileNotFoundError(f"{real / name} not found: synth copies the framework from the real data")
    if out_dir.exists() and any(out_dir.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{out_dir} is not empty")
        for old in sorted((out_dir / "cases").glob("*.yaml")):
            old.unlink()  # a smaller data set must not keep the cases of a larger one
    say(f"generating {municipalities} municipalities (seed {seed})")
    docs, result = generate(municipalities, seed, real)
    sources = yaml.safe_load((real / "sources.yaml").read_text(encoding="utf-8"))
    sources["sources"].append(synthetic_source())
    header = b"# SYNTHETIC data written by `dxkg synth`: invented municipalities and quotes, not for research.\n"
    write_atomic(out_dir / "sources.yaml", header + _dump(sources))
    for name in COPIED_FILES:
        write_atomic(out_dir / name, (real / name).read_bytes())
    say(f"writing {len(docs)} case files to {out_dir / 'cases'}")
    for name, doc in docs.items():
        write_atomic(out_dir / name, header + _dump(doc))
    return result
