"""The README documents every command and every API route: this fails when one is added
without a line in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from closeout.api.urls import api

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(
    p.stem
    for p in (ROOT / "closeout/ledger/management/commands").glob("*.py")
    if not p.stem.startswith("_")
)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command):
    assert f"`closeout {command}" in README, f"README does not document `closeout {command}`"


def _routes() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    routes = []
    for path, operations in schema["paths"].items():
        readable = re.sub(r"\{\w+_id\}", "{id}", path)
        routes.extend((method.upper(), readable) for method in operations)
    return routes


@pytest.mark.parametrize(("method", "path"), _routes())
def test_every_api_route_is_in_the_readme(method, path):
    assert f"{method} {path}" in README, f"README does not document {method} {path}"


def test_the_readme_starts_with_the_two_setup_commands():
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block is not None
    lines = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert lines == ["./dev demo", "./dev test"]
    assert README.index("```sh") < README.index("## ")
