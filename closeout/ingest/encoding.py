"""Text decoding: detected among the encodings Chinese plans use, never guessed silently."""

from __future__ import annotations

import codecs
import re

from closeout.ingest.source import ReadError

# Encodings a Chinese plan arrives in; detection is restricted to them so that a short
# GBK file is never "detected" as, say, a Cyrillic code page.
CANDIDATES = ("utf_8", "gb18030", "big5", "utf_16_le", "utf_16_be")
# charset-normalizer's "chaos" (mess ratio) above which a decoding is not trusted.
MAX_CHAOS = 0.2
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode text bytes; return (text, encoding) or raise ``ReadError``.

    1. A byte-order mark decides.  2. Valid UTF-8 is UTF-8 (it is never valid by chance
    for Chinese text in other encodings).  3. Otherwise charset-normalizer chooses among
    the Chinese encodings, and its choice is accepted only when the result reads cleanly.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ReadError(name, f"invalid {encoding} after its byte-order mark") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" not in text:
            return text, "utf-8"
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=list(CANDIDATES)).best()
    if best is None or best.chaos > MAX_CHAOS:
        raise ReadError(
            name, "cannot decode the text: not UTF-8, GB18030/GBK, Big5 or UTF-16 (binary file?)"
        )
    text = str(best)
    if len(_CONTROL.findall(text)) > max(3, len(text) // 100):
        raise ReadError(name, f"decoded as {best.encoding} but the result is not text")
    return text, best.encoding.replace("_", "-")
