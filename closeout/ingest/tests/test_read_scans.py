"""A scanned PDF (扫描件): pages that are images without a text layer are said to be a
scan, not read as an empty plan; a plan with some scanned pages is read with a warning
naming them. The PDFs are built here: raw objects, and one as Pillow saves a photo."""

from __future__ import annotations

import io

import pytest

from closeout.ingest import ParseContext, ReadContext, ReadError, parse, read
from closeout.ingest.read import SCANNED, _pages
from closeout.ingest.tests import bombs

IMAGE = bombs.stream(
    b"\x80\x80\x80" * 4,
    b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB "
    b"/BitsPerComponent 8 ",
)
CONTENTS = {
    "text": bombs.stream(b"BT /F1 12 Tf 72 720 Td (Rectification plan) Tj ET"),
    "image": bombs.stream(b"q 500 0 0 700 50 50 cm /Im1 Do Q"),
    "blank": bombs.stream(b""),
    "both": bombs.stream(b"q 100 0 0 100 50 50 cm /Im1 Do Q BT /F1 12 Tf 72 720 Td (Plan) Tj ET"),
}


def _pdf(*pages: str) -> bytes:
    """One page per word ("text", "image", "blank", "both"), in that order."""
    first = 5 + len(CONTENTS)  # catalog, pages, font, image, the contents, then pages
    content = {kind: 5 + i for i, kind in enumerate(CONTENTS)}
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(len(pages)))
    return bombs.pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(pages),
            bombs.FONT,
            IMAGE,
            *CONTENTS.values(),
            *(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> >>"
                % content[kind]
                for kind in pages
            ),
        ]
    )


def _photo_pdf(pages: int) -> bytes:
    """What a scanner's software writes: each page one JPEG image, no text."""
    from PIL import Image, ImageDraw

    sheets = []
    for n in range(pages):
        sheet = Image.new("RGB", (620, 877), "white")
        ImageDraw.Draw(sheet).rectangle((60, 80 + 40 * n, 560, 110 + 40 * n), fill="black")
        sheets.append(sheet)
    out = io.BytesIO()
    sheets[0].save(out, "PDF", resolution=75, save_all=True, append_images=sheets[1:])
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [_pdf("image"), _pdf("image", "image", "blank"), _photo_pdf(1), _photo_pdf(3)],
    ids=["one image page", "image pages and a blank one", "a photo", "three photos"],
)
def test_a_pdf_of_images_without_text_is_refused_as_a_scan(data: bytes) -> None:
    with pytest.raises(ReadError) as caught:
        read(data, ReadContext(name="扫描件.pdf"))
    message = str(caught.value)
    assert caught.value.code == SCANNED
    assert message.startswith("扫描件.pdf: the PDF is a scan")
    assert "no text to read" in message and "OCR" in message


def test_a_pdf_without_images_or_text_is_empty_not_a_scan() -> None:
    with pytest.raises(ReadError, match="no text layer") as caught:
        read(_pdf("blank", "blank"), ReadContext(name="empty.pdf"))
    assert caught.value.code != SCANNED and "scan" not in str(caught.value)


def test_a_plan_with_some_scanned_pages_is_read_with_a_warning_naming_them() -> None:
    data = _pdf("text", "image", "image", "text", "image")
    source = read(data, ReadContext(name="mixed.pdf"))
    assert source.text.split("\n") == ["Rectification plan"] * 2
    assert source.warnings == ("pages 2-3, 5 are scanned images without text: not read",)
    assert source.warnings[0] in parse(data, ParseContext(name="mixed.pdf")).warnings


def test_text_pages_with_pictures_are_no_scan() -> None:
    # A page with both text and an image (a letterhead, a photo) is read as usual.
    source = read(_pdf("both", "text"), ReadContext(name="letterhead.pdf"))
    assert source.text == "Plan\nRectification plan" and source.warnings == ()


@pytest.mark.parametrize(
    "numbers, words",
    [
        ([4], "page 4 is"),
        ([1, 2], "pages 1-2 are"),
        ([1, 3, 4, 5, 9], "pages 1, 3-5, 9 are"),
    ],
)
def test_scanned_pages_are_named_in_runs(numbers: list[int], words: str) -> None:
    assert _pages(numbers) == words
