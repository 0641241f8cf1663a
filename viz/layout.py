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


def satellites(pos: dict[str, tuple[float, float]], groups: dict[str, list[str]], spacing: float = SPACING,
               gap: float = GAP) -> dict[str, tuple[float, float]]:
    """Positions for nodes that belong to one node of the outermost ring of `pos` (a gap's pitfalls and
    cases, say): on the next ellipse out, each group centred on its anchor's angle, neighbours at least
    `spacing` apart along the ellipse. Groups that would overlap are pushed apart as blocks, keeping
    their order round the ellipse, so a node never lands on another's label."""
    anchors = [a for a in groups if a in pos and groups[a]]
    if not anchors:
        return {}
    count = sum(len(groups[a]) for a in anchors)
    inner = max(math.hypot(pos[a][0] / ASPECT, pos[a][1]) for a in anchors)
    # One `gap` out from the ring in both directions (not scaled by the aspect: that would widen the
    # drawing most where it is already widest), and long enough to hold every node `spacing` apart.
    grow = max(0.0, count * spacing / (math.pi * (1 + ASPECT)) - inner - gap)
    semi_x, semi_y = inner * ASPECT + gap + grow * ASPECT, inner + gap + grow
    # The ellipse sampled finely, with the arc length to each sample: nodes are spaced by length, not
    # by angle, so neighbours at the narrow ends are as far apart as those along the long sides.
    samples = 1440
    ts = [-math.pi + 2 * math.pi * k / samples for k in range(samples + 1)]
    xy = [(semi_x * math.cos(t), semi_y * math.sin(t)) for t in ts]
    arc = [0.0]
    for (x0, y0), (x1, y1) in zip(xy, xy[1:], strict=False):
        arc.append(arc[-1] + math.hypot(x1 - x0, y1 - y0))
    total = arc[-1]
    if count * spacing > total:
        spacing = total / count

    def at(length: float) -> tuple[float, float]:
        length %= total
        k = min(range(samples), key=lambda j: abs(arc[j] - length))
        return round(xy[k][0], 1), round(xy[k][1], 1)

    def length_of(anchor: str) -> float:
        t = math.atan2(pos[anchor][1], pos[anchor][0] / ASPECT)
        return arc[round((t + math.pi) / (2 * math.pi) * samples)]

    # Blocks (start, members, wanted places) in anchor order; merge while neighbours overlap, a
    # merged block centred where its members want to be on average.
    # Round the ellipse from the widest empty stretch between anchors, so no block wraps onto another.
    order = sorted(anchors, key=length_of)
    where = [length_of(a) for a in order]
    gaps = [(where[(k + 1) % len(order)] - where[k]) % total or total for k in range(len(order))]
    first = (gaps.index(max(gaps)) + 1) % len(order)
    order = order[first:] + order[:first]
    unwrapped = {a: length_of(a) + (total if k >= len(order) - first else 0.0) for k, a in enumerate(order)}
    blocks: list[tuple[float, list[str], list[float]]] = []
    for a in order:
        n, centre = len(groups[a]), unwrapped[a]
        want = [centre + (k - (n - 1) / 2) * spacing for k in range(n)]
        blocks.append((want[0], list(groups[a]), want))
        while len(blocks) > 1 and blocks[-2][0] + len(blocks[-2][1]) * spacing > blocks[-1][0]:
            (_, m1, w1), (_, m2, w2) = blocks[-2], blocks[-1]
            wants = w1 + w2
            start = sum(w - k * spacing for k, w in enumerate(wants)) / len(wants)
            blocks[-2:] = [(start, m1 + m2, wants)]
    return {node: at(start + k * spacing) for start, members, _ in blocks for k, node in enumerate(members)}
