"""The corpus bench's text matching: a task's text with or without its item marker."""

from __future__ import annotations

import pytest

from closeout.ingest.bench import without_marker


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A problem code ends at the space after it; the date that follows is text.
        ("GN-02 2021年7月至2022年6月,推进", "2021年7月至2022年6月,推进"),
        ("ＨＸ－１２　２０２３年底前完成", "2023年底前完成"),
        ("HG-FK-03 2024年6月底前", "2024年6月底前"),
        ("WH-07:加强扬尘管控", "加强扬尘管控"),
        ("GN-02加强管控", "加强管控"),
        ("1. 2024年底前完成", "2024年底前完成"),
        ("(一) 加强 监管", "加强监管"),
        ("(一)1.加强监管", "加强监管"),
        ("一、 第三项 加强监管", "加强监管"),
        ("问题3:加强监管", "加强监管"),
        ("整改措施:加强监管", "加强监管"),
        ("2021年7月起开展", "2021年7月起开展"),
        # A circled number is a marker, not the digit NFKC would make of it.
        ("①完成污水处理厂扩建", "完成污水处理厂扩建"),
        ("(一)② 推进雨污分流", "推进雨污分流"),
        ("❸加强监管", "加强监管"),
        ("⑷加强监管", "加强监管"),
        ("建成①号泵站", "建成1号泵站"),
    ],
)
def test_without_marker_strips_the_marker_not_the_words_after_it(text, expected):
    assert without_marker(text) == expected
