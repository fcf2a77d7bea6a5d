"""Chinese numerals as they appear in dates and outlines ("二〇二〇", "十二", "三十一")."""

from __future__ import annotations

DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
DIGITS |= {str(i): i for i in range(10)}
CN_NUMBER = "〇○零一二两三四五六七八九十百"


def cn_int(text: str) -> int | None:
    """Parse "2020", "二〇二〇", "十二", "三十一", "二十", "一百零三"; None when not a number."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit() and text.isascii():
        return int(text)
    if all(ch in DIGITS for ch in text):
        # Positional form (years: 二〇二〇): each character is one digit.
        value = 0
        for ch in text:
            value = value * 10 + DIGITS[ch]
        return value
    total, current = 0, 0
    for ch in text:
        if ch in DIGITS:
            current = DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current
