from __future__ import annotations

import re

import pytest

from closeout.ingest import normalise, parse_persons, parse_units


def names(parties):
    # A trailing * marks a collective reference kept whole.
    return [p.name + ("*" if p.collective else "") for p in parties]


ISSUE_CASES = [
    ("济阳县、长清区党委、政府", ["济阳县党委", "济阳县政府", "长清区党委", "长清区政府"]),
    ("蓝山县委、县政府", ["蓝山县委", "蓝山县政府"]),
    (
        "市环保局、人民银行济南分行营业管理部、市金融办、各县区党委、政府",
        ["市环保局", "人民银行济南分行营业管理部", "市金融办", "各县区党委、政府*"],
    ),
    (
        "市生态文明建设工作领导小组各成员单位,各县区党委、政府",
        ["市生态文明建设工作领导小组各成员单位*", "各县区党委、政府*"],
    ),
    (
        "市国土资源局、市林业和城乡绿化局、市环保局,历城区、长清区、平阴县党委、政府,"
        "市南部山区党工委、管委会",
        [
            "市国土资源局",
            "市林业和城乡绿化局",
            "市环保局",
            "历城区党委",
            "历城区政府",
            "长清区党委",
            "长清区政府",
            "平阴县党委",
            "平阴县政府",
            "市南部山区党工委",
            "市南部山区管委会",
        ],
    ),
    ("市委、市政府", ["市委", "市政府"]),
    ("市委办公厅、市政府办公厅、市环保局", ["市委办公厅", "市政府办公厅", "市环保局"]),
    ("市财政局等。", ["市财政局"]),
    ("县环保局；县水利局，县住建局", ["县环保局", "县水利局", "县住建局"]),
    ("有关单位", ["有关单位*"]),
    ("A县、B县人民政府", ["A县人民政府", "B县人民政府"]),  # the organ closes a list of places
    ("市住建局、甘谷县、武山县人民政府", ["市住建局", "甘谷县人民政府", "武山县人民政府"]),
    # A prefecture's 行政公署 (行署) is shared the same way, over 地区 and 盟 names.
    ("塔城地区、阿勒泰地区行政公署", ["塔城地区行政公署", "阿勒泰地区行政公署"]),
    ("兴安盟、锡林郭勒盟行政公署", ["兴安盟行政公署", "锡林郭勒盟行政公署"]),
    ("喀什地区、和田地区行署", ["喀什地区行署", "和田地区行署"]),
    ("阿里地区党委、行政公署", ["阿里地区党委", "阿里地区行政公署"]),
    ("州水利局、塔城地区行政公署", ["州水利局", "塔城地区行政公署"]),
    ("高新区、经开区管委会", ["高新区管委会", "经开区管委会"]),
    ("济阳县、长清区党委", ["济阳县党委", "长清区党委"]),
    ("市环保局、各县区政府", ["市环保局", "各县区政府*"]),
    ("甘谷县、市住建局", ["甘谷县", "市住建局"]),  # no organ named: none given
    ("xx县委、县政府、县人大", ["xx县委", "xx县政府", "xx县人大"]),
    ("区级党委、政府", ["区级党委、政府*"]),  # a level, not a place: every district's
    ("市级领导", ["市级领导"]),
]


@pytest.mark.parametrize(("raw", "expected"), ISSUE_CASES)
def test_unit_list_is_split_and_distributive_phrases_expanded(raw, expected):
    assert names(parse_units(raw)) == expected


PERSON_CASES = [
    ("市环保局、市公安局主要负责人", ["市环保局主要负责人", "市公安局主要负责人"]),
    (
        "市生态文明建设工作领导小组各成员单位主要负责人,各县区党委、政府主要负责人",
        ["市生态文明建设工作领导小组各成员单位主要负责人*", "各县区党委、政府主要负责人*"],
    ),
    (
        "市环保局、市城乡水务局,章丘区、平阴县党委、政府主要负责人",
        [
            "市环保局主要负责人",
            "市城乡水务局主要负责人",
            "章丘区党委主要负责人",
            "章丘区政府主要负责人",
            "平阴县党委主要负责人",
            "平阴县政府主要负责人",
        ],
    ),
    ("市委书记、市人民政府市长", ["市委书记", "市人民政府市长"]),
    ("×、×。", []),  # redacted names are no persons
    ("张三、李四", ["张三", "李四"]),
    ("市委、市政府主要负责同志", ["市委主要负责同志", "市政府主要负责同志"]),
]


@pytest.mark.parametrize(("raw", "expected"), PERSON_CASES)
def test_person_list_distributes_the_role_over_its_units(raw, expected):
    assert names(parse_persons(raw)) == expected


# Every unit seed 003 names, checked by hand against the plan.
SEED_003_UNITS = {
    "人民银行济南分行营业管理部", "历城区党委", "历城区政府", "各县区党委、政府*", "各县区政府*",
    "团市委", "市人大常委会办公厅", "市公安局", "市农业局", "市南部山区党工委", "市南部山区管委会",
    "市卫生计生委", "市发改委", "市商务局", "市国土资源局", "市城乡交通运输委", "市城乡建设委",
    "市城乡水务局", "市城管局", "市城管执法局", "市妇联", "市委办公厅", "市委宣传部", "市委组织部",
    "市委统战部", "市审计局", "市总工会", "市政协办公厅", "市政府办公厅", "市教育局",
    "市整改工作领导小组办公室", "市林业和城乡绿化局", "市民政局", "市法制办", "市环保局",
    "市生态文明建设工作领导小组各成员单位*", "市畜牧兽医局", "市科技局", "市纪委监委",
    "市经济和信息化委", "市统计局", "市编办", "市规划局", "市财政局", "市金融办", "平阴县党委",
    "平阴县政府", "济阳县党委", "济阳县政府", "章丘区党委", "章丘区政府", "长清区党委",
    "长清区政府",
}  # fmt: skip


def _seed_003_blocks(seed_text):
    text = normalise(seed_text("003")).text
    return re.findall(r"\(责任单位:([^;]*);责任人:([^;]*);整改时限:([^)]*)\)", text)


def test_every_field_block_of_seed_003_yields_only_known_units(seed_text):
    blocks = _seed_003_blocks(seed_text)
    assert len(blocks) == 61
    found = set()
    for units, _persons, _deadline in blocks:
        parsed = names(parse_units(units))
        assert parsed, units
        found.update(parsed)
    assert found == SEED_003_UNITS


def test_every_seed_003_block_names_the_head_of_each_responsible_unit(seed_text):
    # In seed 003 the 责任人 are always the 主要负责人 of the 责任单位, written in several
    # shortened ways; the expansion must agree with the unit field in every block.
    for units, persons, _deadline in _seed_003_blocks(seed_text):
        expected = [p.name + "主要负责人" for p in parse_units(units)]
        assert [p.name for p in parse_persons(persons)] == expected, persons


SEED_004_FIELDS = [
    ("persons", "×、×", []),
    ("units", "产业新城指挥部", ["产业新城指挥部"]),
    ("units", "×街农业服务中心", ["×街农业服务中心"]),
    (
        "units",
        "市委、市政府,各县市区(含管理区、经开区)党委、政府(管委会)",
        ["市委", "市政府", "各县市区(含管理区、经开区)党委、政府(管委会)*"],
    ),
    ("units", "市委办、市政府办", ["市委办", "市政府办"]),
    ("persons", "市委书记、市人民政府市长", ["市委书记", "市人民政府市长"]),
    ("units", "市发改委,各县市区党委、政府", ["市发改委", "各县市区党委、政府*"]),
    ("units", "市发改委", ["市发改委"]),
    (
        "units",
        "市城管执法局、市自然资源和规划局、市林业局",
        ["市城管执法局", "市自然资源和规划局", "市林业局"],
    ),
    ("persons", "分管市发改委副市长", ["分管市发改委副市长"]),
    ("units", "蓝山县委、县政府", ["蓝山县委", "蓝山县政府"]),
    ("units", "市林业局", ["市林业局"]),
    (
        "units",
        "市发改委、市交通运输局、市文旅广体局、市水利局",
        ["市发改委", "市交通运输局", "市文旅广体局", "市水利局"],
    ),
    ("persons", "分管市林业局副市长", ["分管市林业局副市长"]),
    ("units", "市工信局", ["市工信局"]),
    ("units", "xx县委、县政府", ["xx县委", "xx县政府"]),
    ("units", "市国资委", ["市国资委"]),
    (
        "units",
        "市发改委、市工信局,各县市区党委、政府",
        ["市发改委", "市工信局", "各县市区党委、政府*"],
    ),
    ("units", "市发改委、市工信局", ["市发改委", "市工信局"]),
    (
        "units",
        "市发改委、市自然资源和规划局、市生态环境局、市应急管理局",
        ["市发改委", "市自然资源和规划局", "市生态环境局", "市应急管理局"],
    ),
    ("units", "市财政局等", ["市财政局"]),
    (
        "units",
        "市生态环境局、市自然资源和规划局、市科技局",
        ["市生态环境局", "市自然资源和规划局", "市科技局"],
    ),
    ("persons", "分管市生态环境局副市长", ["分管市生态环境局副市长"]),
    ("units", "市城管执法局,各县市区党委、政府", ["市城管执法局", "各县市区党委、政府*"]),
    ("units", "市城管执法局", ["市城管执法局"]),
    (
        "units",
        "市发改委、市自然资源和规划局、市生态环境局",
        ["市发改委", "市自然资源和规划局", "市生态环境局"],
    ),
    ("persons", "分管市城管执法局副市长", ["分管市城管执法局副市长"]),
    ("units", "市发改委、市生态环境局、市水利局", ["市发改委", "市生态环境局", "市水利局"]),
    ("units", "市农业农村局,各县市区党委、政府", ["市农业农村局", "各县市区党委、政府*"]),
    ("units", "市农业农村局", ["市农业农村局"]),
    ("units", "市生态环境局、市财政局、市统计局", ["市生态环境局", "市财政局", "市统计局"]),
    ("persons", "分管市农业农村局副市长", ["分管市农业农村局副市长"]),
    ("units", "市城管执法局,各相关县市区党委、政府", ["市城管执法局", "各相关县市区党委、政府*"]),
    ("units", "市生态环境局", ["市生态环境局"]),
    ("units", "市生态环境局,各相关县市区党委、政府", ["市生态环境局", "各相关县市区党委、政府*"]),
    (
        "units",
        "市自然资源和规划局,各县市区党委、政府",
        ["市自然资源和规划局", "各县市区党委、政府*"],
    ),
    ("units", "市自然资源和规划局", ["市自然资源和规划局"]),
    ("units", "市生态环境局、市林业局", ["市生态环境局", "市林业局"]),
    ("persons", "分管市自然资源和规划局副市长", ["分管市自然资源和规划局副市长"]),
    (
        "units",
        "市工信局、市科技局、市商务局、市人社局",
        ["市工信局", "市科技局", "市商务局", "市人社局"],
    ),
]


@pytest.mark.parametrize(("kind", "raw", "expected"), SEED_004_FIELDS)
def test_seed_004_field_blocks_parse_to_their_hand_checked_units(kind, raw, expected):
    parse = parse_persons if kind == "persons" else parse_units
    assert names(parse(raw)) == expected


# Prefix distribution (前缀分配): a level or place prefix stated once covers the bare
# department names after it in the same 、 list; never items that name their own level,
# collectives, 党委/政府 organs, or names already full.
PREFIX_CASES = [
    (
        "市生态环境局、发展和改革局、工业和信息化局",
        ["市生态环境局", "市发展和改革局", "市工业和信息化局"],
    ),
    ("省发展改革委、经济和信息化厅", ["省发展改革委", "省经济和信息化厅"]),
    (
        "杭州市生态环境局、住房和城乡建设局、城市管理局",
        ["杭州市生态环境局", "杭州市住房和城乡建设局", "杭州市城市管理局"],
    ),
    ("某某县水利局、农业农村局", ["某某县水利局", "某某县农业农村局"]),
    ("区住建局、市场监管局", ["区住建局", "区市场监管局"]),
    ("黔东南州生态环境局、林业局", ["黔东南州生态环境局", "黔东南州林业局"]),
    ("盟生态环境局、林草局", ["盟生态环境局", "盟林草局"]),
    (
        "州生态环境局、发展改革委、各县市人民政府",
        ["州生态环境局", "州发展改革委", "各县市人民政府*"],
    ),
    ("西湖区住建局、城管局、西湖区人民政府", ["西湖区住建局", "西湖区城管局", "西湖区人民政府"]),
    # The nearest prefix before a bare name is its own.
    ("省生态环境厅、市水务局、城管局", ["省生态环境厅", "市水务局", "市城管局"]),
    ("市政府办公厅、财政局", ["市政府办公厅", "市财政局"]),
    # Lists that already name their level, and names that are already full.
    ("市环保局、各县区政府", ["市环保局", "各县区政府*"]),
    ("市水务局、各县(区)人民政府", ["市水务局", "各县(区)人民政府*"]),
    ("市生态环境局、县水利局", ["市生态环境局", "县水利局"]),
    ("市委宣传部、市委组织部、团市委", ["市委宣传部", "市委组织部", "团市委"]),
    ("区委宣传部、组织部、统战部", ["区委宣传部", "区委组织部", "区委统战部"]),
    ("某某县委组织部、宣传部", ["某某县委组织部", "某某县委宣传部"]),
    ("市委宣传部、生态环境局", ["市委宣传部", "生态环境局"]),  # 市 or 市委? not guessed
    # A party organ (州党委, 自治区党委, 党工委 too) goes to the party's other bodies after it:
    # departments, 编办, 政法委, 督查室, 网信办 …
    ("州党委宣传部、组织部、州生态环境局", ["州党委宣传部", "州党委组织部", "州生态环境局"]),
    ("德保县委组织部、编办", ["德保县委组织部", "德保县委编办"]),
    ("自治区党委宣传部、网信办", ["自治区党委宣传部", "自治区党委网信办"]),
    ("县委政法委、督查室、宣传部", ["县委政法委", "县委督查室", "县委宣传部"]),
    ("市委办公室、组织部", ["市委办公室", "市委组织部"]),
    ("经开区党工委组织部、宣传部", ["经开区党工委组织部", "经开区党工委宣传部"]),
    ("旗委機構編制委員會辦公室、組織部", ["旗委机构编制委员会办公室", "旗委组织部"]),
    ("市委编办、财政局", ["市委编办", "财政局"]),  # a government department: not guessed
    ("市委组织部、政府办公室", ["市委组织部", "政府办公室"]),
    ("市委办公室、市政府办公室", ["市委办公室", "市政府办公室"]),
    ("生态环境局、水务局", ["生态环境局", "水务局"]),  # no prefix to give
    ("市生态环境局,发展和改革局", ["市生态环境局", "发展和改革局"]),  # another group
    ("市环保局、各县区政府、发改局", ["市环保局", "各县区政府*", "发改局"]),
    ("市生态环境局、国家税务总局某某市税务局", ["市生态环境局", "国家税务总局某某市税务局"]),
    ("市市场监管局、公安局", ["市市场监管局", "市公安局"]),
    ("市交通运输局、湛江海事局、税务局", ["市交通运输局", "湛江海事局", "税务局"]),
    ("市交通运输局、气象局", ["市交通运输局", "市气象局"]),
    ("区生态环境分局、水务局", ["区生态环境分局", "区水务局"]),
    ("省水利厅、农业农村厅,各设区市人民政府", ["省水利厅", "省农业农村厅", "各设区市人民政府*"]),
    ("市自然资源和规划局、林业局、十陵街道", ["市自然资源和规划局", "市林业局", "十陵街道"]),
    ("市场监管局、公安局", ["市场监管局", "公安局"]),  # 市场 is no prefix
    # Courts and procuratorates take the level like departments.
    (
        "市公安局、人民检察院、中级人民法院",
        ["市公安局", "市人民检察院", "市中级人民法院"],
    ),
    ("县公安局、人民法院、人民检察院", ["县公安局", "县人民法院", "县人民检察院"]),
    # So do the co-operative federation and people's organisations.
    ("市商务局、供销合作社", ["市商务局", "市供销合作社"]),
    ("县农业农村局、供销社", ["县农业农村局", "县供销社"]),
    ("汉滨区商务局、供销联社", ["汉滨区商务局", "汉滨区供销联社"]),
    ("州商务局、供销合作社联合社", ["州商务局", "州供销合作社联合社"]),
    ("区教育局、妇联、团区委", ["区教育局", "区妇联", "团区委"]),
    ("盟总工会、科协、残联", ["盟总工会", "盟科协", "盟残联"]),
    ("市商务局、陕西省供销合作社", ["市商务局", "陕西省供销合作社"]),
    ("克拉玛依市公安局、人民检察院", ["克拉玛依市公安局", "克拉玛依市人民检察院"]),
    ("州中级人民法院、司法局", ["州中级人民法院", "州司法局"]),
    ("人民检察院、公安局", ["人民检察院", "公安局"]),  # no prefix to give
    # Names that carry their own place take no prefix (and end the chain).
    ("州水利局、塔里木河流域巴音郭楞管理局", ["州水利局", "塔里木河流域巴音郭楞管理局"]),
    ("省水利厅、太湖流域管理局、水文局", ["省水利厅", "太湖流域管理局", "水文局"]),
    ("县水利局、黄河水利委员会", ["县水利局", "黄河水利委员会"]),
    ("市水务局、黄河河务局", ["市水务局", "黄河河务局"]),
    ("省林业和草原局、三江源国家公园管理局", ["省林业和草原局", "三江源国家公园管理局"]),
    ("市林业局、贺兰山自然保护区管理局", ["市林业局", "贺兰山自然保护区管理局"]),
    ("州水利局、流域管理处", ["州水利局", "流域管理处"]),
    # Levels beyond 省/市/县/区: 地区, 自治州, 自治县, 盟, 旗, and their party organs.
    (
        "地区生态环境局、文体广电和旅游局",
        ["地区生态环境局", "地区文体广电和旅游局"],
    ),
    ("地区行署办公室、生态环境局", ["地区行署办公室", "地区生态环境局"]),
    ("地委组织部、宣传部", ["地委组织部", "地委宣传部"]),
    ("自治州生态环境局、水利局", ["自治州生态环境局", "自治州水利局"]),
    ("自治县林业局、水利局", ["自治县林业局", "自治县水利局"]),
    ("盟林业和草原局、气象局", ["盟林业和草原局", "盟气象局"]),
    ("盟委组织部、宣传部", ["盟委组织部", "盟委宣传部"]),
    ("旗林业和草原局、水利局", ["旗林业和草原局", "旗水利局"]),
    ("旗委组织部、統戰部", ["旗委组织部", "旗委统战部"]),  # traditional
    ("阿拉善盟生态环境局、林草局", ["阿拉善盟生态环境局", "阿拉善盟林草局"]),
    ("喀什地区生态环境局、水利局", ["喀什地区生态环境局", "喀什地区水利局"]),
]


@pytest.mark.parametrize(("raw", "expected"), PREFIX_CASES)
def test_a_prefix_stated_once_covers_the_bare_names_after_it(raw, expected):
    assert names(parse_units(raw)) == expected


def test_prefix_distribution_reaches_persons_too():
    assert names(parse_persons("市环保局、公安局主要负责人")) == [
        "市环保局主要负责人",
        "市公安局主要负责人",
    ]


def test_a_unit_marked_as_leading_leads_and_the_rest_cooperate():
    from closeout.ingest.fields import COOP_UNITS, LEAD_UNITS, FieldValue, marked_lead

    value = "市生态环境局(牵头)、市公安局,各县区政府"
    fields = marked_lead({LEAD_UNITS: FieldValue(LEAD_UNITS, "责任单位", value, 5, 5 + len(value))})
    assert names(parse_units(fields[LEAD_UNITS].value)) == ["市生态环境局"]
    assert names(parse_units(fields[COOP_UNITS].value)) == ["市公安局", "各县区政府*"]
    plain = {LEAD_UNITS: FieldValue(LEAD_UNITS, "责任单位", "市公安局", 0, 4)}
    assert marked_lead(plain) == plain


# A plan in Taiwan forms (OpenCC s2twp) names organs with Taiwan words; the unit is the
# mainland organ. Measures keep their words (only unit fields are mapped).
TAIWAN_CASES = [
    ("地區工業和資訊化局、生態環境局", ["地区工业和信息化局", "地区生态环境局"]),
    ("州經濟和資訊化局", ["州经济和信息化局"]),
    ("省工業和資訊化廳", ["省工业和信息化厅"]),
    ("市委網路安全和資訊化委員會辦公室", ["市委网络安全和信息化委员会办公室"]),
    ("軟體園管委會", ["软件园管委会"]),
    ("州通訊管理局", ["州通信管理局"]),
    ("市資料局、市經濟執行局", ["市数据局", "市经济运行局"]),
    # Full-width punctuation and a simplified name are as before.
    ("盟工业和信息化局，盟生态环境局", ["盟工业和信息化局", "盟生态环境局"]),
    ("縣人民法院執行局", ["县人民法院执行局"]),
]


@pytest.mark.parametrize(("raw", "expected"), TAIWAN_CASES)
def test_an_organ_named_in_taiwan_words_is_the_mainland_organ(raw, expected):
    assert names(parse_units(raw)) == expected


def test_taiwan_words_are_mapped_in_person_fields_too():
    assert names(parse_persons("市資訊中心主要負責人")) == ["市信息中心主要负责人"]
