"""Old binary Word/WPS/Excel files through LibreOffice, and the clear messages without it.

The .doc fixture is made at test time by LibreOffice from a .docx (Word 97 filter); the
.wps is the same compound file under a .wps name (LibreOffice has no WPS export). The
conversion tests need LibreOffice: skipped on a machine without it, required on CI.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import pytest

from closeout.ingest import (
    ParseContext,
    ReadContext,
    ReadError,
    convert,
    parse,
    parse_isolated,
    read,
)
from closeout.ingest.read import sniff
from closeout.ingest.result import to_json
from closeout.ingest.source import DAMAGED, SECONDS, SourceText

ROOT = Path(__file__).resolve().parents[3]
PLAN = [
    "某市贯彻落实中央生态环境保护督察反馈问题整改方案",
    "一、大气污染问题",
    "(一)部分企业挥发性有机物治理设施运行不正常。",
    "整改目标:治理设施稳定运行,排放达标。",
    "整改措施:开展专项执法检查,督促企业升级改造治理设施。",
    "责任单位:市生态环境局",
    "整改时限:2024年12月底前",
    "二、水污染问题",
]
TABLE = [
    ["序号", "问题", "整改措施", "责任单位", "整改时限"],
    ["1", "城区建筑工地扬尘污染", "落实工地六个百分百", "市住房城乡建设局", "2024年9月底前"],
    ["2", "城中村污水直排", "完成管网改造", "市水务局", "2025年6月底前"],
]


def _require_soffice() -> None:
    if convert.soffice() is not None:
        return
    if os.environ.get("CI"):
        pytest.fail("LibreOffice is required on CI (./dev test installs it)")
    pytest.skip("LibreOffice is not installed")


def _docx() -> bytes:
    import docx

    document = docx.Document()
    for line in PLAN:
        document.add_paragraph(line)
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    table.style = "Table Grid"
    for r, row in enumerate(TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("附件:整改任务清单")  # a Word 97 file ends with a paragraph
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _libreoffice_save_as(data: bytes, suffix: str, target: str) -> bytes:
    """What LibreOffice writes for ``data`` (a file of ``suffix``) with a ``target``
    filter such as 'doc:MS Word 97': how an office's old files are made here."""
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"fixture{suffix}"
        source.write_bytes(data)
        subprocess.run(
            [
                str(convert.soffice()),
                f"-env:UserInstallation={(Path(work) / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(Path(work) / "out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": work},
        )
        (made,) = (Path(work) / "out").iterdir()
        return made.read_bytes()


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return _docx()


@pytest.fixture(scope="module")
def doc_bytes(docx_bytes: bytes) -> bytes:
    _require_soffice()
    return _libreoffice_save_as(docx_bytes, ".docx", "doc:MS Word 97")


@pytest.fixture(scope="module")
def xls_bytes() -> bytes:
    _require_soffice()
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in TABLE:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return _libreoffice_save_as(out.getvalue(), ".xlsx", "xls:MS Excel 97")


def _ole2(*streams: str) -> bytes:
    """A compound-file header and directory names: enough for detection, not for reading."""
    names = b"".join((s + "\0").encode("utf-16-le").ljust(64, b"\0") for s in streams)
    return convert.OLE2 + b"\0" * 504 + names + b"\0" * 256


def _tasks(source: SourceText, name: str) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = cast(
        dict[str, Any], to_json(parse(source, ParseContext(name=name)))
    )["tasks"]
    return tasks


def _no_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLOSEOUT_SOFFICE", str(tmp_path / "no-such-soffice"))


@pytest.mark.parametrize(
    "data, kind",
    [
        (_ole2("Root Entry", "WordDocument", "1Table"), "docx"),  # Word 97-2003, WPS Writer
        (_ole2("Root Entry", "Workbook"), "xlsx"),  # Excel 97-2003, WPS Spreadsheets
        (_ole2("Root Entry", "Book"), "xlsx"),  # Excel 5/95
        (_ole2("Root Entry", "PowerPoint Document"), None),
        (b"PK\x03\x04" + b"\0" * 100, None),
        (b"WordDocument", None),
    ],
)
def test_the_bytes_say_whether_a_compound_file_is_a_document_or_a_workbook(
    data: bytes, kind: str | None
) -> None:
    assert convert.ole2_kind(data) == kind


@pytest.mark.parametrize(
    "data, format",
    [
        (_ole2("WordDocument"), "doc"),
        (_ole2("Workbook"), "xls"),
        (_ole2("Something Else"), "doc"),  # LibreOffice decides, or says why not
        (b"PK\x03\x04rest", "docx"),
        (b"%PDF-1.4", "pdf"),
    ],
)
def test_sniff_names_old_binary_files_by_their_signature(data: bytes, format: str) -> None:
    assert sniff(data) == format


def test_a_doc_reads_and_parses_as_the_docx_it_was_saved_from(
    docx_bytes: bytes, doc_bytes: bytes
) -> None:
    assert doc_bytes.startswith(convert.OLE2)
    original = read(docx_bytes, ReadContext(name="plan.docx"))
    old = read(doc_bytes, ReadContext(name="plan.doc"))
    assert old.format == "doc"
    assert old.text == original.text
    assert [c.text for t in old.tables for c in t.cells] == [
        c.text for t in original.tables for c in t.cells
    ]
    assert "市住房城乡建设局" in old.text
    tasks = _tasks(original, "plan.docx")
    assert _tasks(old, "plan.doc") == tasks
    assert any("市生态环境局" in t["lead_units"] for t in tasks)


def test_an_old_document_misnamed_docx_is_converted_and_a_docx_named_doc_read_as_is(
    docx_bytes: bytes, doc_bytes: bytes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert read(doc_bytes, ReadContext(name="plan.docx")).format == "doc"
    _no_libreoffice(monkeypatch, tmp_path)  # a .docx under .doc needs no converter
    assert read(docx_bytes, ReadContext(name="plan.doc")).format == "docx"


def test_an_uploaded_doc_converts_inside_the_isolated_reader(doc_bytes: bytes) -> None:
    # The child caps its address space (1 GB) and LibreOffice inherits the cap.
    result = parse_isolated(doc_bytes, ParseContext(name="plan.doc"))
    assert result.format == "doc" and result.tasks


def test_closeout_parse_reads_a_doc(doc_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "整改方案.doc"
    path.write_bytes(doc_bytes)
    done = subprocess.run(
        [sys.executable, "-m", "closeout", "parse", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "市生态环境局" in done.stdout and done.stdout.rstrip().endswith("warnings")


def test_an_xls_workbook_becomes_an_xlsx_with_its_cells(xls_bytes: bytes) -> None:
    import openpyxl

    assert xls_bytes.startswith(convert.OLE2) and convert.ole2_kind(xls_bytes) == "xlsx"
    for name in ("台账.xls", "台账.et"):
        book = openpyxl.load_workbook(io.BytesIO(convert.to_xlsx(xls_bytes, name)))
        rows = [[str(v) for v in row] for row in book.active.iter_rows(values_only=True)]
        assert rows == TABLE


def test_two_conversions_at_once_do_not_mix_and_a_wps_is_read_by_its_bytes(
    doc_bytes: bytes,
) -> None:
    # Two of the same bytes under two names: each read keeps its own name and text.
    names = ["a.doc", "整改方案.wps"]
    with ThreadPoolExecutor(2) as pool:
        found = list(pool.map(lambda n: read(doc_bytes, ReadContext(name=n)), names))
    assert [s.name for s in found] == names and {s.format for s in found} == {"doc"}
    assert found[0].text == found[1].text and "整改目标" in found[1].text


def test_a_damaged_doc_is_refused_as_damaged_with_libreoffice_s_reason() -> None:
    _require_soffice()
    broken = _ole2("Root Entry", "WordDocument") + b"not a document" * 50
    with pytest.raises(ReadError, match=r"broken\.doc: an old binary Word document") as caught:
        read(broken, ReadContext(name="broken.doc"))
    assert caught.value.code == DAMAGED and "could not convert" in str(caught.value)


@pytest.mark.parametrize(
    "name, says",
    [
        ("plan.doc", ["old binary Word document (.doc)", "libreoffice-writer-nogui", ".docx"]),
        ("plan.wps", ["WPS document (.wps)", "libreoffice-writer-nogui", "save it as .docx"]),
        ("plan.docx", ["old binary Word document", "save it as .docx"]),
        ("<bytes>", ["old binary Word document"]),
    ],
)
def test_without_libreoffice_an_old_document_is_refused_saying_what_to_do(
    name: str, says: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _no_libreoffice(monkeypatch, tmp_path)
    with pytest.raises(ReadError) as caught:
        read(_ole2("WordDocument"), ReadContext(name=name))
    message = str(caught.value)
    assert caught.value.code == convert.NO_CONVERTER
    assert message.startswith(f"{name}: this is ") and "apt-get install" in message
    assert "CLOSEOUT_SOFFICE names" in message
    for words in says:
        assert words in message


def test_without_libreoffice_on_the_path_the_message_says_it_is_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLOSEOUT_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ReadError, match="LibreOffice is not installed: install it with") as c:
        convert.to_xlsx(_ole2("Workbook"), "台账.et")
    assert "WPS spreadsheet (.et)" in str(c.value) and "libreoffice-calc-nogui" in str(c.value)
    assert "save it as .xlsx" in str(c.value)


def _script(tmp_path: Path, body: str) -> Path:
    program = tmp_path / "soffice"
    program.write_text("#!/bin/sh\n" + body)
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program


def test_a_converter_that_fails_is_reported_with_its_last_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    program = _script(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 1\n")
    monkeypatch.setenv("CLOSEOUT_SOFFICE", str(program))
    with pytest.raises(ReadError, match="could not be loaded") as caught:
        convert.to_docx(_ole2("WordDocument"), "plan.doc")
    assert caught.value.code == DAMAGED


def _dead(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # killed, not yet reaped by whoever adopted it


def _gone(pid: int) -> bool:
    """Whether ``pid`` is dead, allowing the kernel a moment to finish its exit: the
    pipe closes early in a killed process's exit, before /proc shows it as a zombie."""
    deadline = time.monotonic() + 10
    while not _dead(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_conversion_past_its_timeout_is_killed_with_every_process_it_started(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    program = _script(tmp_path, f"sleep 60 &\necho $! > {pids}\nwait\n")
    monkeypatch.setenv("CLOSEOUT_SOFFICE", str(program))
    started = time.monotonic()
    with pytest.raises(ReadError, match="longer than 1 s") as caught:
        convert.to_docx(_ole2("WordDocument"), "plan.doc", timeout=1)
    assert caught.value.code == SECONDS and caught.value.limit == 1
    assert time.monotonic() - started < 30
    assert _gone(int(pids.read_text()))
