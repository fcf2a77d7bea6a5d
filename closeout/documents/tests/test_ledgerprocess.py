"""The ledger workbook written by a child process: the same workbook as in one process,
and nothing left behind when either side fails."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter.workbook

from closeout.documents import ledgerprocess
from closeout.documents.ledgerprocess import WriterFailed, write_ledger_beside
from closeout.documents.ledgerworksheet import QuickZipFile
from closeout.documents.ledgerxlsx import LedgerRow, write_ledger


def _rows(n: int) -> list[LedgerRow]:
    return [
        LedgerRow(
            problem_key=i // 3,
            problem=f"问题{i // 3}：工业园区污水直排",
            task_id=1000 + i,
            measures=f"完成第{i}段管网改造",
            units="市水务局、市生态环境局",
            percent=i % 101,
            completion="未完成",
            sheet=f"单位{i // 7}",
        )
        for i in range(n)
    ]


def _cells(data: bytes | Path) -> list[list[list[object]]]:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    book = openpyxl.load_workbook(source)
    return [[[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets]


OPTIONS = {"title": "整改工作台账", "as_of": dt.date(2025, 6, 30), "optional": ["percent"]}


@pytest.mark.parametrize("per_unit", [False, True])
def test_the_child_writes_the_same_workbook_as_one_process(tmp_path: Path, per_unit: bool) -> None:
    # More rows than one batch, so several batches cross the queue.
    rows = _rows(ledgerprocess.BATCH * 2 + 17)
    here = io.BytesIO()
    expected = write_ledger(rows, here, per_unit=per_unit, **OPTIONS)  # type: ignore[arg-type]
    path = tmp_path / "台账.xlsx"
    summary = write_ledger_beside(iter(rows), path, per_unit=per_unit, **OPTIONS)
    assert summary == expected
    assert _cells(path) == _cells(here.getvalue())


def test_an_error_while_reading_the_rows_is_raised_and_leaves_no_file(tmp_path: Path) -> None:
    def rows() -> Iterator[LedgerRow]:
        yield from _rows(ledgerprocess.BATCH + 5)
        raise RuntimeError("the database went away")

    path = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError, match="the database went away"):
        write_ledger_beside(rows(), path, **OPTIONS)
    assert not path.exists()


def test_a_failing_writer_is_reported_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    with pytest.raises(WriterFailed, match="unknown optional column 'nonsense'"):
        write_ledger_beside(iter(_rows(10)), path, optional=["nonsense"])
    assert not path.exists()


def test_the_workbook_is_packed_by_the_fast_zip_container() -> None:
    # XlsxWriter looks its ZipFile up in its module when a workbook closes; if an
    # upgrade stops doing so this fails rather than the export silently slowing down.
    assert xlsxwriter.workbook.ZipFile is QuickZipFile
    out = io.BytesIO()
    write_ledger(_rows(3), out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as packed:
        assert packed.testzip() is None
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in packed.infolist())


FAILING_RUN = """
import sys
from closeout.documents import ledgerprocess
from closeout.documents.ledgerxlsx import LedgerRow

def rows():
    for i in range(ledgerprocess.BATCH * (ledgerprocess.QUEUED_BATCHES + 4)):
        yield LedgerRow(problem_key=i, problem="问题" * 400, task_id=i)
    raise RuntimeError("stop")

try:
    ledgerprocess.write_ledger_beside(rows(), sys.argv[1])
except RuntimeError:
    pass
"""


def test_a_process_whose_export_failed_still_exits(tmp_path: Path) -> None:
    # Batches left in the queue when the writer is stopped must not keep the
    # interpreter waiting at exit for a reader that is gone.
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", FAILING_RUN, str(tmp_path / "out.xlsx")],
        timeout=120,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert not (tmp_path / "out.xlsx").exists()
