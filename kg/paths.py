"""Default locations: the data folder, the build folder and the source texts."""

from __future__ import annotations

import os
from pathlib import Path

# The graph files a build writes, by format; kept here so readers need not import rdflib.
GRAPH_FILES = {"ttl": "dxkg.ttl", "nt": "dxkg.nt", "jsonld": "dxkg.jsonld"}


def repo_root() -> Path:
    """The checkout this package lives in (kg/ is at its top)."""
    return Path(__file__).resolve().parent.parent


def default_data_dir() -> Path:
    """`./data` when the working directory has one, else the checkout's `data/`."""
    local = Path("data")
    return local if local.is_dir() else repo_root() / "data"


def default_build_dir() -> Path:
    return Path(os.environ.get("DXKG_BUILD", "build"))


def default_sources_dir() -> Path | None:
    """$DXKG_SOURCES, else `../shared/seeds` beside the checkout when it exists."""
    env = os.environ.get("DXKG_SOURCES")
    if env:
        return Path(env)
    shared = repo_root().parent / "shared" / "seeds"
    return shared if shared.is_dir() else None
