"""Bracketed responsibility groups (责任分工括注), written as offices write them."""

from __future__ import annotations

import pytest

from closeout.ingest.brackets import responsibility_groups
from closeout.ingest.normalise import normalise


def roles(text: str) -> list[dict[str, str]]:
    """Each group of the (normalised) text as {field: value}."""
    analysed = normalise(text).text
    out = []
    for group in responsibility_groups(analysed, 0):
        out.append({v.field: v.value for v in group.fields})
    return out


GROUPS = [
    (
        "完善监测网络〔市生态环境局牵头,市发展和改革局、工业和信息化局参与,"
        "各县(区)人民政府负责落实〕。",
        [
            {
                "lead_units": "市生态环境局",
                "coop_units": "市发展和改革局、工业和信息化局",
                "implementing_units": "各县(区)人民政府",
            }
        ],
    ),
    (
        "推进老旧小区雨污分流改造（市住房城乡建设局牵头，市城管局配合）。",
        [{"lead_units": "市住房城乡建设局", "coop_units": "市城管局"}],
    ),
    (
        "加强农业面源污染治理(责任单位:市水务局、市农业农村局)",
        [{"lead_units": "市水务局、市农业农村局"}],
    ),
    (
        "开展排查（牵头单位：省生态环境厅；配合单位：省公安厅、省交通运输厅；完成时限：2024年12月底前）",
        [
            {
                "lead_units": "省生态环境厅",
                "coop_units": "省公安厅、省交通运输厅",
                "deadline": "2024年12月底前",
            }
        ],
    ),
    (
        "严格执法检查(市公安局、市生态环境局按职责分工负责)",
        [{"lead_units": "市公安局、市生态环境局"}],
    ),
    (
        "【责任单位：杭州市城管局；责任人：分管副局长；完成时限：立行立改，长期坚持】",
        [{"lead_units": "杭州市城管局", "persons": "分管副局长", "deadline": "立行立改,长期坚持"}],
    ),
    # After 牵头单位, a plain 责任单位 names the cooperating units.
    (
        "(牵头单位:市水利局;责任单位:市自然资源局、各县市区政府)",
        [{"lead_units": "市水利局", "coop_units": "市自然资源局、各县市区政府"}],
    ),
    # … also when 配合单位 are named as well, before or after it.
    (
        "（牵头单位：州林业和草原局；配合单位：州水利局；责任单位：察布查尔锡伯自治县、伊宁县人民政府）",
        [
            {
                "lead_units": "州林业和草原局",
                "coop_units": "州水利局;察布查尔锡伯自治县、伊宁县人民政府",
            }
        ],
    ),
    (
        "(牵头单位:盟生态环境局;责任单位:科尔沁右翼前旗人民政府;配合单位:盟水利局)",
        [{"lead_units": "盟生态环境局", "coop_units": "科尔沁右翼前旗人民政府;盟水利局"}],
    ),
    # 由 … 牵头 and units ending in 等.
    (
        "(由县农业农村局牵头,县畜牧中心等配合)",
        [{"lead_units": "县农业农村局", "coop_units": "县畜牧中心"}],
    ),
    # A labelled list continued after a comma stays one field.
    (
        "(责任单位:市委办公厅、市环保局,各县区党委、政府;整改时限:2018年底前)",
        [{"lead_units": "市委办公厅、市环保局,各县区党委、政府", "deadline": "2018年底前"}],
    ),
    # Labels apart by a space only, as Word tables and scans leave them.
    (
        "(牵头单位：市生态环境局　配合单位：市公安局、市交通运输局)",
        [{"lead_units": "市生态环境局", "coop_units": "市公安局、市交通运输局"}],
    ),
    (
        "(市水务局牵头,2024年底前完成)",
        [{"lead_units": "市水务局", "deadline": "2024年底前完成"}],
    ),
    ("(市公安局、市交通运输局协同落实)", [{"coop_units": "市公安局、市交通运输局"}]),
    # Supervising verbs.
    (
        "(市生态环境局督导,各区政府负责)",
        [{"supervising_units": "市生态环境局", "lead_units": "各区政府"}],
    ),
    # Two groups in one paragraph.
    (
        "建成污水管网20公里(市城投集团负责)。完善收费机制(市发展改革委牵头,市财政局配合)。",
        [
            {"lead_units": "市城投集团"},
            {"lead_units": "市发展改革委", "coop_units": "市财政局"},
        ],
    ),
    # 按职责分工负责 (分别负责, 共同负责) covers every unit list of the group before it.
    (
        "强化沙尘暴源区综合治理(盟林业和草原局、气象局，各旗(区)人民政府按职责分工负责)。",
        [{"lead_units": "盟林业和草原局、气象局;各旗(区)人民政府"}],
    ),
    (
        "纳入领导干部考核(盟委组织部、宣传部,盟生态环境局按职责分工负责)",
        [{"lead_units": "盟委组织部、宣传部;盟生态环境局"}],
    ),
    (
        "开展联合执法(州公安局;州生态环境局、州林业和草原局,各县(市)人民政府分别负责)",
        [{"lead_units": "州公安局;州生态环境局、州林业和草原局;各县(市)人民政府"}],
    ),
    (
        "推进河湖清四乱〔市水利局牵头，市自然资源局、市农业农村局，各区政府按职责分工落实〕",
        [{"lead_units": "市水利局;市自然资源局、市农业农村局;各区政府"}],
    ),
    # Once the lead is named, a list before the next verb shares it (other places,
    # full- and half-width commas, cooperating and implementing verbs).
    (
        "全面落实生态流量泄放(州水利局牵头，州生态环境局、发展和改革委员会，国网阿坝供电公司配合)",
        [
            {
                "lead_units": "州水利局",
                "coop_units": "州生态环境局、发展和改革委员会;国网阿坝供电公司",
            }
        ],
    ),
    (
        "推进尾矿库治理(市应急管理局牵头,市生态环境局、市自然资源局,市水利局参与)",
        [{"lead_units": "市应急管理局", "coop_units": "市生态环境局、市自然资源局;市水利局"}],
    ),
    (
        "整治农村黑臭水体〔县生态环境局牵头，县农业农村局，各乡镇人民政府负责落实〕",
        [{"lead_units": "县生态环境局", "implementing_units": "县农业农村局;各乡镇人民政府"}],
    ),
    # Institutions are units too: a party school, a museum, a weather station, a forest farm.
    (
        "纳入干部教育培训必修课程（市委宣传部、组织部，市委党校按职责分工负责）",
        [{"lead_units": "市委宣传部、组织部;市委党校"}],
    ),
    (
        "开展生态文明宣传教育(州委党校、州博物馆牵头,州广播电视台配合)",
        [{"lead_units": "州委党校、州博物馆", "coop_units": "州广播电视台"}],
    ),
    (
        "做好人工增雨作业(县气象台负责)",
        [{"lead_units": "县气象台"}],
    ),
    (
        "加强林区防火巡护(国有七星林场、红旗农场负责)",
        [{"lead_units": "国有七星林场、红旗农场"}],
    ),
    # A bracket split over two lines is one group.
    (
        "推进码头岸电建设(市交通运输局牵头,\n市港航中心、国网某某供电公司配合)",
        [{"lead_units": "市交通运输局", "coop_units": "市港航中心、国网某某供电公司"}],
    ),
]


@pytest.mark.parametrize(("text", "expected"), GROUPS)
def test_groups_read_roles_from_their_verbs_and_labels(text, expected):
    assert roles(text) == expected


NOT_GROUPS = [
    "《某某市大气污染防治条例(试行)》",
    "制定生态环境保护规划(2024-2026年)",
    "各县(区)人民政府、市委(市政府)督查室要加强督促",
    "督促企业整改(已于2023年3月完成初步排查)",
    "达到《地表水环境质量标准》(GB3838-2002)Ⅲ类",
    "(含管理区、经开区)",
    "(以下简称市生态环境局)",
    "(以下任务均由各区政府负责落实)",  # a standing clause, not a group
    "(市督查室跟踪督办的事项除外)",
    "(各县区要加强落实)",
    "(2024年底前完成)",
    "(一)大气污染防治",
    "(市生态环境局牵头",  # never closed
    "(市生态环境局、市水务局,市林业局牵头)",  # a list before a verb of one unit's role
    "(市生态环境局、市水务局,市林业局配合)",  # no lead: the first list's role unsaid
    "(市生态环境局、市水务局)",  # no verb at all: the units of a remark
]


@pytest.mark.parametrize("text", NOT_GROUPS)
def test_brackets_that_assign_no_one_are_text(text):
    assert roles(text) == []


def test_every_field_keeps_its_span_in_the_text():
    text = normalise("推进A(市水务局牵头，市城管局配合;完成时限:2025年6月)").text
    (group,) = responsibility_groups(text, 100)
    assert text[group.start - 100] == "(" and text[group.end - 101] == ")"
    for value in group.fields:
        assert text[value.start - 100 : value.end - 100] == value.value


def test_a_nested_unit_bracket_does_not_end_the_group():
    text = normalise("(各县(市、区)人民政府负责落实,市林业局指导)").text
    (group,) = responsibility_groups(text, 0)
    assert {v.field: v.value for v in group.fields} == {
        "implementing_units": "各县(市、区)人民政府",
        "coop_units": "市林业局",  # 指导 guides: a cooperating unit, not a supervisor
    }


def test_a_verb_after_a_lead_keeps_its_own_role():
    # 负责落实 implements (a lead, flagged as implementing) by its own word, even after a
    # 牵头 in the same group; only a plain 责任单位 label after 牵头单位 turns cooperating.
    assert roles("(市生态环境局牵头,各县(市、区)人民政府负责落实)") == [
        {"lead_units": "市生态环境局", "implementing_units": "各县(市、区)人民政府"}
    ]
    assert roles("(市生态环境局牵头,市水务局负责)") == [{"lead_units": "市生态环境局;市水务局"}]
