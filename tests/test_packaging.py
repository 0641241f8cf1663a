"""The package as a user installs it: true dependency floors, and a wheel that answers outside the checkout."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from packaging.version import Version

from tests.conftest import FIXTURE_DATA, REPO

FLOORS = REPO / "constraints" / "floors.txt"


def _requirements() -> dict[str, str]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    out = {}
    for line in cfg["options"]["install_requires"].strip().splitlines():
        if not line.strip() or line.strip().startswith("#"):
            continue
        requirement = line.strip().split(";")[0]  # an environment marker does not change the floor
        name, _, version = requirement.partition(">=")
        out[name.strip().lower()] = version.strip()
    return out


def test_every_requirement_has_a_floor_and_the_floors_file_holds_exactly_them() -> None:
    floors = {}
    for line in FLOORS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            floors[name.strip().lower()] = version.strip()
    required = _requirements()
    assert all(required.values()), f"a requirement without a >= floor: {required}"
    # `make floors` installs exactly the lowest versions setup.cfg allows
    assert {k: Version(v) for k, v in floors.items()} == {k: Version(v) for k, v in required.items()}


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """The wheel built from a copy of the checkout and installed into a fresh venv: (bin folder, env, workdir)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv*", "build", "*.egg-info", "__pycache__",
                                                              ".pytest_cache", ".ruff_cache", ".mypy_cache"))
    done = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(src)])
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = next((root / "dist").glob("dxkg-*.whl"))
    venv.create(root / "venv", with_pip=True)
    bin_dir = root / "venv" / "bin"
    done = _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)])
    assert done.returncode == 0, done.stderr[-2000:]
    work = root / "work"  # an empty folder: no data/, no build/, no checkout anywhere above it
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXKG_") and k != "PYTHONPATH"}
    env.update(DXKG_CACHE=str(root / "cache"), HOME=str(root / "home"), PATH=f"{bin_dir}:{env.get('PATH', '')}")
    return bin_dir, env, work


def test_the_wheel_carries_the_resources(installed: tuple[Path, dict[str, str], Path]) -> None:
    bin_dir, env, work = installed
    code = ("from kg.paths import ontology_file, shapes_file, queries_dir, packaged_data_dir; "
            "print(ontology_file().is_file(), shapes_file().is_file(), len(list(queries_dir().glob('*.rq'))), "
            "len(list(packaged_data_dir().glob('cases/*.yaml'))), 'site-packages' in str(ontology_file()))")
    done = _run([str(bin_dir / "python"), "-c", code], env=env, cwd=work)
    assert done.returncode == 0, done.stderr
    onto, shapes, queries, cases, installed_copy = done.stdout.split()
    assert (onto, shapes, installed_copy) == ("True", "True", "True")
    assert int(queries) >= 10 and int(cases) >= 15


@pytest.mark.parametrize("args, expect", [
    (["query", "cases-per-factor"], "(6 rows)"),
    (["similar", "higumap", "--top", "3"], "(3 rows)"),
    (["assess"], "幌加内"),
    (["show", "higumap"], "ひぐまっぷ"),
])
def test_installed_commands_answer_with_no_checkout(installed: tuple[Path, dict[str, str], Path], args: list[str],
                                                    expect: str) -> None:
    bin_dir, env, work = installed
    done = _run([str(bin_dir / "dxkg"), *args], env=env, cwd=work)
    assert done.returncode == 0, done.stderr[-2000:]
    assert expect in done.stdout
    assert not (work / "build").exists() and not (work / "data").exists()  # the packaged graph lives in the cache


def test_installed_validate_reads_a_data_folder(installed: tuple[Path, dict[str, str], Path], tmp_path: Path) -> None:
    bin_dir, env, work = installed
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    done = _run([str(bin_dir / "dxkg"), "validate", "--data", str(data), "--no-sources"], env=env, cwd=work)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("valid:")


def test_installed_serve_answers(installed: tuple[Path, dict[str, str], Path]) -> None:
    import urllib.request

    bin_dir, env, work = installed
    proc = subprocess.Popen([str(bin_dir / "dxkg"), "serve", "--port", "0", "-q"], env=env, cwd=work,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = None
        assert proc.stderr is not None
        for line in proc.stderr:
            found = re.search(r"serving (http://\S+/) ", line)
            if found:
                url = found.group(1)
                break
        assert url, "dxkg serve did not say where it serves"
        with urllib.request.urlopen(f"{url}sparql?query=ASK%7B%3Fs%20a%20dx%3AInitiative%7D", timeout=30) as resp:
            assert b"true" in resp.read()
    finally:
        proc.terminate()
        proc.wait(30)
