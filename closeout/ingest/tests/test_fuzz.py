"""No input crashes or hangs the parser: it returns a result or raises IngestError."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeout.ingest.parse import parse
from closeout.ingest.result import ParseContext
from closeout.ingest.source import IngestError
from closeout.ingest.tests.conftest import seed_path

SEED_003 = seed_path("003").read_bytes()
PLAN_CHARS = st.text(
    alphabet=st.sampled_from(list("一二三、.()(:;,。1234567890责任单位人整改时限措施目标篇是\n "))
)


def _parse_or_error(data: bytes, name: str = "x.txt") -> None:
    try:
        result = parse(data, ParseContext(name=name))
    except IngestError:
        return
    for task in result.tasks:
        assert 0 <= task.span[0] <= task.span[1] <= len(result.text)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data):
    _parse_or_error(data)


@settings(max_examples=150)
@given(PLAN_CHARS)
def test_plan_like_text_never_crashes(text):
    _parse_or_error(text.encode("utf-8"))


@settings(max_examples=40)
@given(st.integers(min_value=0, max_value=len(SEED_003)))
def test_truncated_seed_never_crashes(cut):
    _parse_or_error(SEED_003[:cut])


def test_huge_single_line_is_parsed_quickly():
    _parse_or_error(("整改措施:" + "(责任单位:" * 20000).encode())


def test_zip_bomb_disguised_as_docx_is_an_error():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    try:
        parse(out.getvalue(), ParseContext(name="bomb.docx"))
    except IngestError as exc:
        assert "bomb" in str(exc) or "expands" in str(exc)
    else:
        raise AssertionError("a zip bomb was parsed")
