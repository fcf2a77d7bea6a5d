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
        # A number in square brackets (【任务一】, 〔第3项〕, ［一］) numbers the item.
        ("【任务一】个旧市、蒙自市整治", "个旧市、蒙自市整治"),
        ("【任务12】 2024年底前完成", "2024年底前完成"),
        ("〔任务三〕加强监管", "加强监管"),
        ("［第一项］加强监管", "加强监管"),
        ("【三】开展巡查", "开展巡查"),
        ("[4]完成整治", "完成整治"),
        # A bracketed word or a document year is not a number of the item.
        ("【重点任务】开展巡查", "【重点任务】开展巡查"),
        ("〔2024〕5号文件要求", "〔2024〕5号文件要求"),
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
