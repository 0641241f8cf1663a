"""Where things are: the one module that knows the package's resources and the default folders.

The ontology, the SHACL shapes, the saved queries and the curated data travel inside the
installed package (`kg.ontology`, `kg.queries`, `kg.data`; in the checkout `ontology/` and
`data/` are mapped onto those names by setup.cfg) and are read with importlib.resources, so
a wheel installed anywhere finds them without a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

# The graph files a build writes, by format; kept here so readers need not import rdflib.
GRAPH_FILES = {"ttl": "dxkg.ttl", "nt": "dxkg.nt", "jsonld": "dxkg.jsonld"}
ONTOLOGY_FILE = "dxkg.ttl"
SHAPES_FILE = "shapes.ttl"


def _package_dir(package: str) -> Path:
    """A resource package as a folder on disk (pip installs packages unzipped; a zip import is refused)."""
    from importlib.resources import files  # not at the top: every command's start-up would pay for it

    found = files(package)
    if not isinstance(found, Path):
        raise RuntimeError(f"the resources of {package} are not on the file system ({found!r}); "
                           "install dxkg unzipped (pip does)")
    return found


def ontology_dir() -> Path:
    return _package_dir("kg.ontology")


def ontology_file() -> Path:
    """The ontology (OWL, Turtle)."""
    return ontology_dir() / ONTOLOGY_FILE


def shapes_file() -> Path:
    """The SHACL shapes every build is checked against."""
    return ontology_dir() / SHAPES_FILE


def queries_dir() -> Path:
    """The saved `.rq` queries."""
    return _package_dir("kg.queries")


def packaged_data_dir() -> Path:
    """The curated data the package was released with."""
    return _package_dir("kg.data")


def default_data_dir() -> Path:
    """`./data` when the working directory has one, else the curated data inside the package."""
    local = Path("data")
    return local if local.is_dir() else packaged_data_dir()


def default_build_dir() -> Path:
    """$DXKG_BUILD, else `./build`."""
    return Path(os.environ.get("DXKG_BUILD", "build"))


def default_sources_dir() -> Path | None:
    """$DXKG_SOURCES, else `../shared/seeds` beside the working directory or the checkout, when it exists."""
    env = os.environ.get("DXKG_SOURCES")
    if env:
        return Path(env)
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        shared = base.parent / "shared" / "seeds"
        if shared.is_dir():
            return shared
    return None


def endpoint_asset(name: str) -> Path:
    """A file the query page inlines (its script, the vendored editor bundle and its licences)."""
    return _package_dir("kg.endpoint") / name
