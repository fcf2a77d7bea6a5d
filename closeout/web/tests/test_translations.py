"""The Simplified Chinese catalog: complete, compiled, in step with the source, and used.

The gettext tools (msgfmt, xgettext) are needed by two of these tests. Without them the
tests skip with the reason, except when the CI environment variable is set: there a
missing tool fails them, so a CI run can never pass by silently checking less.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parents[2]  # the closeout package directory
MESSAGES = Path("locale") / "zh_Hans" / "LC_MESSAGES"
PO = PACKAGE / MESSAGES / "django.po"
MO = PACKAGE / MESSAGES / "django.mo"

# The options the committed catalog is generated with (`closeout makemessages`).
MAKEMESSAGES_OPTIONS = {
    "locale": ["zh_Hans"],
    "ignore_patterns": ["*/tests/*", "ingest/*"],
    "no_location": True,
}

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|</?[a-zA-Z][^>]*>")
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """A small .po reader: the header and the live entries (obsolete "#~" ones are skipped)."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        parts: dict[str, str] = {}
        flags: set[str] = set()
        current = None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
                continue
            if not line or line.startswith("#"):
                continue
            match = KEYWORD.match(line)
            if match:
                current = match.group(1)
                parts[current] = ast.literal_eval(match.group(2))
            else:
                assert current is not None, f"{path}: stray line {line!r}"
                parts[current] += ast.literal_eval(line)
        if "msgid" not in parts:
            continue
        msgstr = [parts[k] for k in sorted(k for k in parts if k.startswith("msgstr"))]
        entries.append(
            Entry(parts["msgid"], parts.get("msgid_plural"), parts.get("msgctxt"), msgstr, flags)
        )
    return entries


def msgid_keys(entries: list[Entry]) -> set[tuple[str | None, str, str | None]]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in entries if e.msgid}


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} (GNU gettext) is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so this test may not be skipped)", pytrace=False)
        pytest.skip(reason)
    return path


def load_mo(path: Path) -> dict:
    with path.open("rb") as fp:
        # The parsed catalog: msgid (or (msgid, n) for plurals) -> translation.
        return dict(gettext.GNUTranslations(fp)._catalog)


# ----------------------------------------------------------------------- the catalog


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = read_po(PO)
    header = next(e for e in entries if e.msgid == "")
    assert "Language: zh_Hans\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    messages = [e for e in entries if e.msgid]
    assert len(messages) > 300
    untranslated = [e.msgid for e in messages if not e.msgstr or not all(e.msgstr)]
    assert untranslated == []
    fuzzy = [e.msgid or "(header)" for e in entries if "fuzzy" in e.flags]
    assert fuzzy == []
    wrong_plurals = [e.msgid for e in messages if e.msgid_plural and len(e.msgstr) != 1]
    assert wrong_plurals == []


def test_translations_keep_every_placeholder_and_tag():
    # Chinese has one plural form (nplurals=1): msgstr[0] serves every count, so a plural
    # entry keeps the placeholders of msgid_plural, as `msgfmt --check-format` requires
    # ("The form has a problem:" / "... %(counter)s problems:" → "表单有 %(counter)s 处问题：").
    changed = [
        (e.msgid, text)
        for e in read_po(PO)
        if e.msgid
        for text in e.msgstr
        if sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        != sorted(PLACEHOLDER.findall(text))
    ]
    assert changed == []


def test_the_committed_mo_file_is_compiled_from_the_po_file(tmp_path):
    msgfmt = require("msgfmt")
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check-format", "-o", str(fresh), str(PO)],
        check=True,
        capture_output=True,
    )
    assert MO.is_file(), "django.mo is missing: run `closeout compilemessages -l zh_Hans`"
    assert load_mo(MO) == load_mo(fresh), (
        "django.mo is out of date: run `closeout compilemessages -l zh_Hans`"
    )


def test_the_catalog_holds_exactly_the_messages_of_the_source(tmp_path, monkeypatch, settings):
    require("xgettext")
    require("msgmerge")
    copy = tmp_path / "closeout"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]
    call_command("makemessages", verbosity=0, stdout=StringIO(), **MAKEMESSAGES_OPTIONS)
    regenerated = msgid_keys(read_po(copy / MESSAGES / "django.po"))
    committed = msgid_keys(read_po(PO))
    assert sorted(regenerated - committed, key=str) == [], "run `closeout makemessages`"
    assert sorted(committed - regenerated, key=str) == [], "stale messages in django.po"


# ----------------------------------------------------------------------- in use


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default_and_english_on_request(client):
    chinese = client.get("/login/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "登录" in chinese and "Log in" not in chinese

    client.cookies["django_language"] = "en"
    english = client.get("/login/").content.decode()
    assert '<html lang="en">' in english
    assert "Log in" in english and "登录" not in english
