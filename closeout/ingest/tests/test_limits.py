"""Hostile plan files are refused by a named limit, and damaged ones as damaged, in every
format; an isolated parse also ends on its memory and wall-time limits."""

from __future__ import annotations

import io
import pickle
import random
import zipfile

import pytest

from closeout.ingest import (
    Isolation,
    ParseContext,
    ReadContext,
    ReadError,
    parse,
    parse_isolated,
    read,
    to_json,
)
from closeout.ingest.source import DAMAGED, MEMORY, PAGES, SECONDS, UNPACKED
from closeout.ingest.tests import bombs
from closeout.ingest.tests.conftest import seed_path

MB = 1024 * 1024


def test_a_pdf_whose_content_stream_inflates_to_hundreds_of_mb_is_refused_by_its_limit():
    data = bombs.pdf_bomb()
    assert len(data) < MB
    with pytest.raises(ReadError) as caught:
        read(data, ReadContext(name="bomb.pdf", max_unpacked_bytes=16 * MB))
    assert (caught.value.code, caught.value.limit) == (UNPACKED, 16 * MB)
    assert str(caught.value) == (
        "bomb.pdf: the PDF expands to more than 16 MB when its streams are unpacked"
    )


def test_the_unpacked_limit_counts_every_stream_of_the_document():
    # Each page's stream fits the budget on its own; together they do not.
    spaces = bombs.stream(bombs.deflated(MB, b" "), b"/Filter /FlateDecode ")
    one_mb_pages = bombs.pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>",
            *[
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % n
                for n in (6, 7, 8)
            ],
            spaces,
            spaces,
            spaces,
        ]
    )
    with pytest.raises(ReadError) as caught:
        read(one_mb_pages, ReadContext(name="three.pdf", max_unpacked_bytes=2 * MB))
    assert caught.value.code == UNPACKED
    # Within the limit the same file reads (to its empty text layer).
    with pytest.raises(ReadError, match="no text layer"):
        read(one_mb_pages, ReadContext(name="three.pdf", max_unpacked_bytes=4 * MB))


def test_a_pdf_within_the_limits_is_read_as_before():
    source = read(bombs.pdf_pages(3), ReadContext(name="three.pdf", max_pdf_pages=3))
    assert source.text.split("\n") == ["Rectification plan"] * 3


def test_a_pdf_with_thousands_of_pages_is_refused_by_its_page_limit():
    with pytest.raises(ReadError) as caught:
        read(bombs.pdf_pages(3000), ReadContext(name="pages.pdf", max_pdf_pages=100))
    assert (caught.value.code, caught.value.limit) == (PAGES, 100)
    assert str(caught.value) == "pages.pdf: the PDF has more than 100 pages"


def test_a_docx_whose_document_expands_hugely_is_refused_by_its_limit():
    data = bombs.docx_bomb(100_000)  # 8.5 MB of XML that deflates only about 25-fold
    with pytest.raises(ReadError) as caught:
        read(data, ReadContext(name="big.docx", max_unpacked_bytes=4 * MB))
    assert (caught.value.code, caught.value.limit) == (UNPACKED, 4 * MB)
    assert "expands to more than 4 MB" in str(caught.value)


def test_a_docx_with_garbage_in_its_deflated_document_is_damaged_not_a_crash():
    with pytest.raises(ReadError) as caught:
        read(bombs.docx_damaged(), ReadContext(name="bad.docx"))
    assert caught.value.code == DAMAGED
    assert caught.value.name == "bad.docx"


def test_fuzzed_docx_files_give_a_source_or_a_read_error_never_a_crash():
    good = bombs.docx_file(bombs.docx_parts())
    rng = random.Random(15)
    for _ in range(100):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            read(bytes(data), ReadContext(name="fuzz.docx"))
        except ReadError as exc:
            assert exc.name == "fuzz.docx"


def test_a_truncated_pdf_is_damaged():
    data = bombs.pdf_pages(3)
    with pytest.raises(ReadError) as caught:
        read(data[: len(data) // 3], ReadContext(name="cut.pdf"))
    assert caught.value.code == DAMAGED


def test_a_read_error_keeps_its_code_and_limit_through_pickling():
    error = ReadError("a.pdf", "too big", code=UNPACKED, limit=5)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.name, copy.reason, copy.code, copy.limit) == ("a.pdf", "too big", UNPACKED, 5)


# The isolated parse: a child process with its own memory and time limits.


def test_an_isolated_parse_gives_the_same_result_as_one_in_process():
    data = seed_path("003").read_bytes()
    context = ParseContext(name="003.txt")
    assert to_json(parse_isolated(data, context)) == to_json(parse(data, context))


def test_an_isolated_parse_passes_on_the_readers_own_refusal():
    with pytest.raises(ReadError) as caught:
        parse_isolated(bombs.docx_damaged(), ParseContext(name="bad.docx"))
    assert (caught.value.name, caught.value.code) == ("bad.docx", DAMAGED)
    reading = ReadContext(max_unpacked_bytes=16 * MB)
    with pytest.raises(ReadError) as caught:
        parse_isolated(bombs.pdf_bomb(), ParseContext(name="bomb.pdf", reading=reading))
    assert (caught.value.code, caught.value.limit) == (UNPACKED, 16 * MB)


def test_an_isolated_parse_ends_at_its_memory_limit():
    # With the unpacked limit out of the way, inflating the bomb meets the memory limit.
    reading = ReadContext(max_unpacked_bytes=10 * 1024 * MB)
    isolation = Isolation(memory_bytes=192 * MB, seconds=60)
    with pytest.raises(ReadError) as caught:
        parse_isolated(bombs.pdf_bomb(), ParseContext(name="bomb.pdf", reading=reading), isolation)
    assert (caught.value.code, caught.value.limit) == (MEMORY, 192 * MB)
    assert str(caught.value) == "bomb.pdf: reading needed more than 192 MB of memory"


def test_an_isolated_parse_ends_at_its_time_limit():
    page = bombs.html_page(400_000)  # 20 MB of paragraphs: many seconds of work
    isolation = Isolation(memory_bytes=4096 * MB, seconds=0.5)
    with pytest.raises(ReadError) as caught:
        parse_isolated(page, ParseContext(name="huge.html"), isolation)
    assert (caught.value.code, caught.value.limit) == (SECONDS, 0.5)
    assert str(caught.value) == "huge.html: reading took longer than 0.5 s"


def test_the_isolated_parse_does_not_import_django():
    import os
    import subprocess
    import sys

    code = "import sys, closeout.ingest.isolate; sys.exit('django' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0


def test_zip_sizes_are_checked_before_any_part_is_inflated():
    # A part that claims to be small but is not: zipfile stops at the claimed size and
    # the checksum fails, so the file is damaged rather than read past its claim.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>" + b" " * (8 * MB))
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    claimed = (100).to_bytes(4, "little")
    data[info.header_offset + 22 : info.header_offset + 26] = claimed  # local header
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 24 : directory + 28] = claimed  # central directory
    with pytest.raises(ReadError) as caught:
        read(bytes(data), ReadContext(name="liar.docx"))
    assert caught.value.code == DAMAGED
