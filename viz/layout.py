"""Fixed starting layouts: nodes on concentric ellipses, so a page opens readable without waiting for physics.

The page is wider than high (1366×768 less the header and the side panel), so rings are ellipses
stretched to that shape. Each ring is wide enough for its nodes' labels side by side, and rings
are spaced so that a label below one node clears the next ring.
"""

from __future__ import annotations

import math

ASPECT = 1.75  # width / height of the drawing area the start view is fitted into (about 1025 × 600)
SPACING = 125  # canvas units between neighbours on a ring (a label wraps at 9 Japanese characters, 13 px each)
GAP = 85  # gap between rings along the short axis (a three-line label below its node is about 60 high)


def rings(groups: list[list[str]], spacing: float = SPACING, gap: float = GAP) -> dict[str, tuple[float, float]]:
    """Positions for groups of node ids: the first group at the centre, each next one on a wider ellipse.

    A single node in the first group sits at the centre. Nodes go round clockwise from the top,
    in the order given, so related nodes given together sit together.
    """
    pos: dict[str, tuple[float, float]] = {}
    radius = 0.0
    for k, ids in enumerate(g for g in groups if g):
        if k == 0 and len(ids) == 1:
            pos[ids[0]] = (0.0, 0.0)
            continue
        # The circumference of an ellipse with semi-axes a = ASPECT·b and b is about π(a+b)·(1+…);
        # the ring must hold len(ids) nodes `spacing` apart and clear the previous ring by `gap`.
        needed = len(ids) * spacing / (math.pi * (1 + ASPECT))
        radius = max(needed, radius + gap if radius else gap)
        b, a = radius, radius * ASPECT
        offset = math.pi / len(ids) if k % 2 else 0.0  # stagger rings so labels do not line up
        for i, node in enumerate(ids):
            t = -math.pi / 2 + offset + 2 * math.pi * i / len(ids)
            pos[node] = (round(a * math.cos(t), 1), round(b * math.sin(t), 1))
    return pos
