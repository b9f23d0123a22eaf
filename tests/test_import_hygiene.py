"""core/ and sequences/ stay pure: importing every module of them loads neither textual nor sqlite_utils. And the
folders install as one namespace: `revdesk.core`, `revdesk.db`, ... and nothing else goes into site-packages."""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("core", "db", "tui", "sequences", "fixtures")


def _modules(package: str) -> list[str]:
    """Every module of a layer, found on disk (its rooms included)."""
    prefix = f"revdesk.{package}."
    return [prefix.rstrip(".")] + [m.name for m in pkgutil.walk_packages([str(ROOT / package)], prefix)]


def test_core_and_sequences_do_not_load_ui_or_sql_libraries(tmp_path):
    modules = _modules("core") + _modules("sequences")
    assert "revdesk.core.playbook.model" in modules and "revdesk.core.calls.queue" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlite_utils', 'sqlite3'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core/sequences loaded: {result.stdout.strip()}"


def test_the_check_itself_catches_a_loaded_library(tmp_path):
    script = "import sys, textual\nprint('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"


def test_the_layers_import_as_revdesk_and_not_by_their_folder_names(tmp_path):
    for layer in LAYERS:
        ours = subprocess.run([sys.executable, "-c", f"import revdesk.{layer}"], cwd=tmp_path, capture_output=True,
                              text=True)
        assert ours.returncode == 0, ours.stderr
        bare = subprocess.run([sys.executable, "-c", f"import {layer}"], cwd=tmp_path, capture_output=True, text=True)
        assert "ModuleNotFoundError" in bare.stderr, f"`import {layer}` should fail: {bare.stderr}"


def test_every_package_folder_is_installed():
    """A room added without its line in pyproject.toml would be missing from a regular install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {"revdesk." + ".".join(init.parent.relative_to(ROOT).parts)
               for layer in LAYERS for init in (ROOT / layer).rglob("__init__.py")}
    assert on_disk == listed


def test_pip_install_puts_only_revdesk_into_site_packages(tmp_path):
    source, target = tmp_path / "source", tmp_path / "site"  # a copy, so the build leaves nothing in the checkout
    source.mkdir()
    for name in (*LAYERS, "pyproject.toml", "README.md"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                            if (ROOT / name).is_dir() else {}))
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                           str(source)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    top = sorted(p.name for p in target.iterdir() if not p.name.endswith((".dist-info", ".egg-info")))
    assert top == ["bin", "revdesk"] or top == ["revdesk"], top
    assert sorted(p.name for p in (target / "revdesk").iterdir()) == sorted(LAYERS)
    assert (target / "revdesk" / "tui" / "revdesk.tcss").exists()
    assert (target / "revdesk" / "fixtures" / "playbook.toml").exists()
