"""Explorable HTML views of the dxkg graph that work offline (vis-network, bundled with pyvis).

`viz` builds on `kg` and never the reverse: `kg` finds the `view` and `site` commands through
the `dxkg.commands` entry points.
"""

# The view kinds, here so that the CLI lists them without importing anything heavy.
VIEW_KINDS = ("overview", "municipality", "initiative", "factor", "driver", "framework", "cooccurrence",
              "assessment")
