"""core/ and sequences/ stay pure: importing every module of them loads neither textual nor sqlite_utils."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[str]:
    return [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(ROOT / package)])] + [package]


def test_core_and_sequences_do_not_load_ui_or_sql_libraries():
    modules = _modules("core") + _modules("sequences")
    assert "core.playbook" in modules and "core.queue" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlite_utils', 'sqlite3'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core/sequences loaded: {result.stdout.strip()}"


def test_the_check_itself_catches_a_loaded_library():
    script = "import sys, textual\nprint('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
