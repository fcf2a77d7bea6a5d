"""The shape of the code base, held by tests: small modules, and interfaces that read and
write only through selectors and services.

The import layering itself (ingest without Django, pure rules, layers, no cycles) is
checked by import-linter's contracts in pyproject.toml, which `./dev test` runs; the last
test here runs them too, so a plain pytest run catches a broken layer as well.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]  # the closeout package
ROOT = PACKAGE.parent
MAX_LINES = 600


def _sources(*parts: str) -> list[Path]:
    base = PACKAGE.joinpath(*parts)
    return sorted(p for p in base.rglob("*.py") if "migrations" not in p.parts)


def too_long(paths: list[Path], root: Path = ROOT, limit: int = MAX_LINES) -> list[str]:
    """The files of `paths` with more than `limit` lines, as "path: n lines"."""
    out = []
    for path in paths:
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append(f"{path.relative_to(root)}: {n} lines")
    return out


def test_no_module_is_longer_than_600_lines():
    """Generated migrations aside, every module, tests included, stays readable in one go."""
    assert too_long(_sources()) == []


def test_the_length_check_finds_a_long_file(tmp_path):
    long = tmp_path / "long.py"
    long.write_text("x = 1\n" * (MAX_LINES + 1))
    short = tmp_path / "short.py"
    short.write_text("x = 1\n" * MAX_LINES)
    assert too_long([long, short], tmp_path) == [f"long.py: {MAX_LINES + 1} lines"]


def orm_uses(path: Path, root: Path = ROOT) -> list[str]:
    """Where a module reaches the ORM or the database directly: a model manager
    (`.objects`, `_default_manager`), a raw connection or cursor. `Model.objects.none()`,
    an empty choice list for a form field filled later, is allowed."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "none"
    }
    where = path.relative_to(root)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in allowed:
            if node.attr in {"objects", "_default_manager", "_base_manager", "cursor"}:
                found.append(f"{where}:{node.lineno} .{node.attr}")
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "django.db"
            and {alias.name for alias in node.names} & {"connection", "connections"}
        ):
            found.append(f"{where}:{node.lineno} django.db.connection")
    return sorted(found)


# Interface modules that query tables that are not the ledger's, and why.
NOT_THE_LEDGER = {
    "web/throttle.py": "django-axes' handler: it counts axes' own records of failed logins",
}


def test_interfaces_reach_the_ledger_only_through_services_and_selectors():
    """The API and the pages hold no queries and no writes of their own."""
    paths = [
        p
        for p in _sources("api") + _sources("web")
        if "tests" not in p.parts and str(p.relative_to(PACKAGE)) not in NOT_THE_LEDGER
    ]
    assert [use for path in paths for use in orm_uses(path)] == []


def test_the_orm_check_finds_a_query(tmp_path):
    module = tmp_path / "view.py"
    module.write_text(
        "from django.db import connection\n"
        "def f():\n"
        "    Task.objects.filter(pk=1)\n"
        "    Unit.objects.none()\n"
        "    connection.cursor()\n"
    )
    assert orm_uses(module, tmp_path) == [
        "view.py:1 django.db.connection",
        "view.py:3 .objects",
        "view.py:5 .cursor",
    ]


def test_the_import_contracts_hold():
    """import-linter's contracts (pyproject.toml): ingest never imports Django, the rules
    never import models, interfaces stay above services and selectors, no import cycles."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed")
    run = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
