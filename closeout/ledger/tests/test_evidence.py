"""Evidence files (佐证材料) in the services: the limits per file and per request, and a
store that reads uploads in chunks. A refused set of files leaves nothing behind: no
report or step, no Evidence row, no file in the store."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings

from closeout.ledger import services
from closeout.ledger.errors import InvalidInput, TooLarge
from closeout.ledger.models import CloseoutStep, Evidence, ProgressReport, Task
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services import Upload
from closeout.ledger.services.reports import CHUNK_SIZE
from closeout.ledger.tests.factories import PDF


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.EVIDENCE_MAX_FILES = 3
    settings.EVIDENCE_MAX_BYTES = 1000
    settings.EVIDENCE_MAX_TOTAL_BYTES = 2500


def pdf(name: str, size: int) -> Upload:
    """A PDF of exactly `size` bytes (distinct per name, so nothing is deduplicated)."""
    head = PDF + name.encode()
    return Upload(name, head + b"0" * (size - len(head)))


def report(world, files):
    return services.report_create(
        actor=world.actor("unit_env"), task_id=world.own.pk, text="进展", files=files
    )


def request_closeout(world, files):
    return services.task_transition(
        actor=world.actor("unit_env"),
        task_id=world.own.pk,
        name="request_closeout",
        data={"assessment": {c: "已达到" for c in services.acceptance_criteria(world.own)}},
        files=files,
    )


def stored_files() -> list[Path]:
    store = Path(settings.DATA_DIR) / "evidence"
    return [p for p in store.rglob("*") if p.is_file()] if store.exists() else []


def assert_nothing_stored(world) -> None:
    assert not ProgressReport.objects.exists()
    assert not CloseoutStep.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files() == []
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS


@pytest.mark.parametrize("submit", [report, request_closeout])
def test_more_files_than_allowed_are_refused_saying_how_many(world, submit):
    with pytest.raises(InvalidInput) as err:
        submit(world, [pdf(f"{i}.pdf", 100) for i in range(4)])
    assert err.value.field == "files" and "3" in err.value.message
    assert_nothing_stored(world)


@pytest.mark.parametrize("submit", [report, request_closeout])
def test_files_larger_together_than_the_total_are_refused(world, submit):
    with pytest.raises(TooLarge) as err:
        submit(world, [pdf("a.pdf", 900), pdf("b.pdf", 900), pdf("c.pdf", 900)])
    assert err.value.field == "files"
    assert_nothing_stored(world)


@pytest.mark.parametrize("submit", [report, request_closeout])
def test_one_file_too_large_is_named_and_none_of_the_others_is_kept(world, submit):
    with pytest.raises(TooLarge) as err:
        submit(world, [pdf("小.pdf", 500), pdf("大文件.pdf", 1001)])
    assert err.value.field == "files" and "大文件.pdf" in err.value.message
    assert_nothing_stored(world)


def test_a_file_of_a_refused_type_after_good_ones_leaves_no_file_in_the_store(world):
    with pytest.raises(InvalidInput) as err:
        report(world, [pdf("a.pdf", 500), Upload("tool.exe", b"MZ\x90\x00" * 50)])
    assert "tool.exe" in err.value.message
    assert_nothing_stored(world)


def test_files_at_the_limits_are_accepted(world):
    done = report(world, [pdf("a.pdf", 1000), pdf("b.pdf", 1000), pdf("c.pdf", 500)])
    assert sorted(done.evidence.values_list("size", flat=True)) == [500, 1000, 1000]
    assert len(stored_files()) == 3


class ChunkedOnly(io.BytesIO):
    """A file that refuses to be read whole: every read must ask for a bounded size."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and 0 < size <= CHUNK_SIZE, f"read({size})"
        ChunkedOnly.largest = max(ChunkedOnly.largest, size)
        return super().read(size)


def test_an_upload_on_disk_is_hashed_and_copied_in_chunks(world, settings):
    settings.EVIDENCE_MAX_BYTES = settings.EVIDENCE_MAX_TOTAL_BYTES = 4 * CHUNK_SIZE
    content = PDF + bytes(range(256)) * (3 * CHUNK_SIZE // 256)
    done = report(world, [Upload("大报告.pdf", ChunkedOnly(content))])
    (evidence,) = done.evidence.all()
    assert evidence.size == len(content) and evidence.content_type == "application/pdf"
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert (Path(settings.DATA_DIR) / evidence.stored_path).read_bytes() == content
    assert ChunkedOnly.largest <= CHUNK_SIZE
    assert [p.name for p in stored_files()] == [evidence.sha256]  # no part file left


def test_the_same_file_twice_is_stored_once(world):
    first = report(world, [pdf("a.pdf", 700)])
    second = report(world, [Upload("again.pdf", io.BytesIO(pdf("a.pdf", 700).content))])
    assert first.evidence.get().stored_path == second.evidence.get().stored_path
    assert len(stored_files()) == 1


def test_a_long_text_file_cut_inside_a_character_is_still_text(world, settings):
    settings.EVIDENCE_MAX_BYTES = settings.EVIDENCE_MAX_TOTAL_BYTES = 200_000
    # 65,535 ASCII bytes, then three-byte characters: the sniffed head ends inside one.
    content = b"a" * 65535 + "整改记录".encode() * 100
    done = report(world, [Upload("记录.txt", content)])
    assert done.evidence.get().content_type == "text/plain"
