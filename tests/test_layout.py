"""The fixed starting layouts: satellites (a gap's pitfalls and cases) never land on each other."""

from __future__ import annotations

import math
from itertools import combinations

from viz.layout import SPACING, rings, satellites


def _closest(pos: dict[str, tuple[float, float]]) -> float:
    return min(math.dist(a, b) for a, b in combinations(pos.values(), 2))


def test_satellites_keep_their_distance_even_where_groups_crowd_and_wrap() -> None:
    ring = rings([["plan"], [f"item{k}" for k in range(12)]])
    # Anchors side by side, including the two either side of the ring's seam (left, at ±π).
    groups = {"item9": ["a1", "a2", "a3", "a4"], "item8": ["b1", "b2", "b3"], "item10": ["c1", "c2"],
              "item3": ["d1"]}
    out = satellites(ring, groups)
    assert set(out) == {n for g in groups.values() for n in g}
    # Neighbours along the ellipse are `SPACING` apart along the arc, so never much closer in a line.
    assert _closest(out) > SPACING * 0.8
    # Everything sits outside the ring it belongs to.
    inner = max(math.hypot(*p) for k, p in ring.items() if k != "plan")
    assert min(math.hypot(*p) for p in out.values()) > min(math.hypot(*p) for k, p in ring.items() if k != "plan")
    assert max(math.hypot(*p) for p in out.values()) > inner
    # A lone satellite sits on its anchor's side of the drawing.
    assert (out["d1"][0] > 0) == (ring["item3"][0] > 0) and (out["d1"][1] > 0) == (ring["item3"][1] > 0)


def test_satellites_of_nothing_is_nothing() -> None:
    assert satellites({"x": (0.0, 0.0)}, {"y": ["z"]}) == {}
