"""Apache Jena from Debian's `libapache-jena-java` (4.5): its class path, and the minimal benchmark endpoint.

Debian ships the jars without launchers, and Jena fails at start with a Xerces "internal error"
because its relocated Xerces message files are missing: they are copied out of jena-core.jar into
a folder put first on the class path. Logging bindings that fight each other (log4j-over-slf4j with
slf4j-log4j12) are left out. Used by bench/bench_endpoint.py and by the tests that run Jena's
`rsparql` against `dxkg serve`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
PACKAGE = "libapache-jena-java"
_CLASHING = ("slf4j-log4j12", "slf4j-jcl", "slf4j-jdk14", "slf4j-migrator", "slf4j-simple", "slf4j-nop",
             "log4j-over-slf4j", "jcl-over-slf4j", "jul-to-slf4j")
SOURCE = Path(__file__).with_name("JenaEndpoint.java")


def installed() -> bool:
    return (JAVA_DIR / "jena-arq.jar").is_file() and shutil.which("java") is not None


def _package_jars() -> list[Path]:
    """The unversioned jars of Jena's package and of every package it depends on."""
    deps = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                           "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", PACKAGE],
                          capture_output=True, text=True, check=True).stdout
    packages = sorted({line.strip() for line in deps.splitlines() if line and not line[0].isspace()})
    listed = subprocess.run(["dpkg", "-L", *packages], capture_output=True, text=True, check=False).stdout
    jars = []
    for line in listed.splitlines():
        path = Path(line)
        if path.parent == JAVA_DIR and path.suffix == ".jar" and not re.search(r"-\d[\d.]*$", path.stem):
            if not path.stem.startswith(_CLASHING):
                jars.append(path)
    return sorted(set(jars))


def classpath(work: Path) -> str:
    """Jena's class path, with the Xerces message files it lacks put in `work`/fix first."""
    fix = work / "fix"
    if not (fix / "xerces" / "impl").is_dir():
        with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
            prefix = "org/apache/jena/ext/xerces/impl/"
            for name in jar.namelist():
                if name.startswith(prefix) and not name.endswith("/"):
                    target = fix / "xerces" / "impl" / name[len(prefix):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    return ":".join([str(fix), *(str(j) for j in _package_jars())])


def compile_endpoint(work: Path, cp: str) -> Path:
    """Compile JenaEndpoint.java into `work`/classes (needs a JDK's javac)."""
    classes = work / "classes"
    classes.mkdir(parents=True, exist_ok=True)
    subprocess.run(["javac", "-cp", cp, "-d", str(classes), str(SOURCE)], check=True)
    return classes
