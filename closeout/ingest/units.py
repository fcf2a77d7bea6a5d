"""Unit and person lists (责任单位 / 责任人): splitting and distributive expansion.

Rules, general rather than fitted to one plan:

1. Split the field at top-level ``,`` ``;`` (never inside parentheses) into groups, and each
   group at ``、`` into items; a trailing 等 is dropped.
2. Organ suffixes (党委, 政府, 人大, 政协, 党工委, 管委会 …) that stand alone after an item
   ending in an organ distribute over that item's place and over bare place names before
   it: "济阳县、长清区党委、政府" → 济阳县党委, 济阳县政府, 长清区党委, 长清区政府,
   and so does an organ closing a list of places: "甘谷县、武山县人民政府" → 甘谷县人民政府,
   武山县人民政府 (the text names the organ once for all of them);
   a level-prefixed organ takes the previous item's place: "蓝山县委、县政府" → 蓝山县委,
   蓝山县政府.
3. Collective references (各县区…, 有关单位, 领导小组各成员单位, a level rather than a
   place: 区级…) stay one entry, marked collective, including their distributed organs
   ("各县区党委、政府", "区级党委、政府").
4. Prefix distribution: a level or place prefix stated once covers the bare department
   names after it in the same 、 list: "市生态环境局、发展和改革局" → 市生态环境局,
   市发展和改革局; "杭州市住建局、城管局" → 杭州市城管局. A bare name takes the nearest
   prefix before it; an item that names its own level (县水利局, 各县区政府), a collective,
   a 党委/政府 organ or a name not ending in a department word (团市委 …) gives and takes
   none, and the chain stops there. A party body gives its organ to the party bodies
   after it: "区委宣传部、组织部" → 区委组织部 (区委, not 区), "州党委宣传部、组织部" →
   州党委组织部, "德保县委组织部、编办" → 德保县委编办.
5. Persons: a role suffix (主要负责人, 主要负责同志, 分管负责人 …) distributes back over
   the preceding items that carry none: "A、B主要负责人" → A主要负责人, B主要负责人.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from closeout.ingest.normalise import normalise

# 行政公署 (行署) is a prefecture's (地区, 盟) government.
ORGANS = (
    "人大常委会", "人民政府", "行政公署", "党工委", "管委会", "工委", "党委", "政府", "人大",
    "政协", "纪委", "监委", "党组", "委员会", "行署",
)  # fmt: skip
# A level character plus an organ: 县委, 市政府, 区人大 …
LEVEL_ORGAN = re.compile(r"^([省市县区州旗镇乡])(委|" + "|".join(ORGANS) + r")$")
LEVEL_SUFFIX = re.compile(r"([省市县区州旗镇乡])(委|" + "|".join(ORGANS) + r")$")
PLACE_END = re.compile(r"(?:省|市|县|区|州|旗|盟|镇|乡|街道|管理区|开发区|经开区|新区|园区)$")
# A level rather than a place (区级党委、政府: every district's) is collective too.
COLLECTIVE = re.compile(
    r"^(?:各|有关|相关|其他|全市各|全区各|全县各|[省市县区镇乡]级(?!领导))|各成员单位|各有关|有关部门$"
)
ROLES = (
    "主要负责同志", "主要负责人", "主要领导", "分管负责同志", "分管负责人", "分管领导",
    "负责同志", "负责人", "第一责任人",
)  # fmt: skip
_ROLE = re.compile("(" + "|".join(ROLES) + ")$")
# Redacted names in published plans ("责任领导:×、×"): not a party at all.
PLACEHOLDER = re.compile(r"^[×xX*＊○]+$")
_TRAIL = re.compile(r"(?:等(?:单位|部门)?|。|\.)+$")
# Prefix distribution: the level characters that start a unit's name, the words in which
# such a character is no level (市场监管局, 城市管理局, 社区), and a department's ending.
_LEVELS = "省市县区州盟旗"
_NO_LEVEL = re.compile(r"^(?:市场|市政(?:工程|设施|公用|园林)|市容|市域|区域|县域)")
_COMPOUND = re.compile(
    r"(?:城市|都市|社区|园区|景区|城区|山区|林区|矿区|库区|地区|小区|牧区|校区)$"
)
# A party committee's own bodies (its 部, 编办, 政法委, 督查室 …): named after the organ
# (市委, 州党委, 自治区党委, 开发区党工委) once, they share it: 区委宣传部、组织部 → 区委组织部,
# 德保县委组织部、编办 → 德保县委编办.
_PARTY_BODY = (
    r"(?:[\u4e00-\u9fff]{2,6}部|编办|编委办|机构编制委员会办公室|政法委|政法委员会|督查室|"
    r"督察室|办公室|办公厅|网信办|政研室|政策研究室|巡察办|改革办|深改办|农办|外办|台办|"
    r"党校|直属机关工委|老干部局|保密办)"
)
_PARTY_DEPARTMENT = re.compile(
    r"^((?:[\u4e00-\u9fff]{0,6}[省市县区州盟旗地]|[\u4e00-\u9fff]{0,8}?(?:党|党工))委)"
    rf"(?!员会){_PARTY_BODY}$"
)
_PARTY_BARE = re.compile(rf"^{_PARTY_BODY}$")
# A vertical agency or a branch named by its place without a level (湛江海事局, 西湖分局).
_NAMED_AGENCY = re.compile(
    r"^[\u4e00-\u9fff]{2,5}(?:海事局|海关|税务局|气象局|水文局|供电局|边检站|铁路局|海警局|分局)$"
)
# Courts and procuratorates are the level's organs too: 市公安局、人民检察院 → 市人民检察院;
# and so are its co-operative federation and people's organisations: 市商务局、供销合作社 →
# 市供销合作社, 县教育局、妇联 → 县妇联.
_DEPARTMENT = re.compile(
    r"(?:局|委|办|厅|委员会|办公室|中心|支队|大队|署|法院|检察院"
    r"|合作社|供销社|联合社|联社|总工会|妇联|科协|残联|工商联|文联|红十字会)$"
)
# A name that carries its own place: a river basin's authority (塔里木河流域…管理局), a
# reserve's or a national park's (贺兰山自然保护区管理局), a river's commission or river
# bureau (黄河水利委员会, 黄河河务局).
_OWN_PLACE = re.compile(
    r"流域|(?:自然保护区|风景名胜区|国家公园)管理"
    r"|^(?![省市县区州盟旗地])[\u4e00-\u9fff]{1,3}[江河湖](?:水利委员会|河务局)"
)
_GIVES_NONE = re.compile(
    r"^(?:各|有关|相关|其他|全市|全省|全县|全区|国家|中国|中央|人民银行|国网|团|共青团)"
    r"|^[省市县区州盟旗]委|(?:党委|政府|人大|政协|党工委|管委会|工委|纪委|监委|党组)$"
)


@dataclass(frozen=True, slots=True)
class Party:
    """One responsible unit or person as written (after expansion)."""

    name: str
    collective: bool = False


# Taiwan words in organ names (a plan in Taiwan forms, OpenCC s2twp's 資訊 for 信息) and the
# mainland word the organ's name has. OpenCC t2s converts characters, not words, and its
# phrase config for Taiwan text (tw2sp) rewrites mainland words of the measures too
# (建立 → 创建, 资料 → 数据), so only unit names are mapped, where these words are unambiguous.
_TAIWAN_WORDS = {
    "资讯": "信息", "网路": "网络", "软体": "软件", "通讯管理": "通信管理", "资料局": "数据局",
    "经济执行": "经济运行",
}  # fmt: skip
_TAIWAN_WORD = re.compile("|".join(_TAIWAN_WORDS))


@lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    """The analysis form, with an organ's Taiwan words in their mainland form; plans
    repeat the same unit fields, so it is remembered."""
    cleaned = normalise(text).text.strip()
    if _TAIWAN_WORD.search(cleaned) is None:
        return cleaned
    return _TAIWAN_WORD.sub(lambda m: _TAIWAN_WORDS[m.group()], cleaned)


_OPEN, _CLOSE = "([{【〔", ")]}】〕"
_NESTING = f"{re.escape(_OPEN + _CLOSE)}"


@lru_cache(maxsize=8)
def _split_chars(seps: str) -> re.Pattern[str]:
    """The characters ``_split_top`` acts on: it skips to them."""
    return re.compile(f"[{_NESTING}{re.escape(seps)}]")


def _split_top(text: str, seps: str) -> list[str]:
    """Split at any of ``seps`` outside parentheses."""
    parts: list[str] = []
    depth, begin = 0, 0
    for m in _split_chars(seps).finditer(text):
        ch = m.group()
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1 if depth else 0
        elif depth == 0:
            parts.append(text[begin : m.start()])
            begin = m.end()
    parts.append(text[begin:])
    return [p.strip() for p in parts if p.strip()]


def _organ_suffix(item: str) -> str | None:
    bare = re.sub(r"\([^)]*\)$", "", item)
    for organ in ORGANS:
        if bare.endswith(organ) and len(bare) > len(organ):
            return organ
    return None


def _is_bare_organ(item: str) -> bool:
    return re.sub(r"\([^)]*\)", "", item) in ORGANS


def _prefix(item: str) -> str | None:
    """The level or place that starts a department's name (市, 省, 杭州市), if any."""
    if _NO_LEVEL.match(item):
        return None
    if item.startswith("地区"):
        return "地区"  # 地区生态环境局: the prefecture (地区) level
    if item[:1] in _LEVELS:
        return item[0]
    # A named place: the longest "…市/县/区" within the first seven characters that is
    # no compound word (杭州市城市管理局 → 杭州市, not 杭州 or 杭州市城市).
    for end in range(min(len(item) - 1, 7), 1, -1):
        head = item[:end]
        place = head.endswith("地区") and len(head) > 2  # 喀什地区, 大兴安岭地区
        if head[-1] in _LEVELS and (place or not _COMPOUND.search(head)):
            return head
    return None


def distribute_prefix(items: list[str]) -> list[str]:
    """Rule 4: bare department names take the nearest level prefix before them; a party
    department (区委宣传部) gives its organ (区委) to the party departments after it."""
    out: list[str] = []
    giver: str | None = None
    party: str | None = None
    for item in items:
        bare = re.sub(r"\([^)]*\)$", "", item)
        organ = _PARTY_DEPARTMENT.match(bare)
        own = _prefix(bare)
        if organ is not None:
            giver, party = None, organ.group(1)
        elif party is not None and own is None and _PARTY_BARE.match(bare):
            item = party + item
        elif (
            _GIVES_NONE.search(bare)
            or not _DEPARTMENT.search(bare)
            or len(bare) > 20
            or (own is None and _NAMED_AGENCY.match(bare) is not None)
            or _OWN_PLACE.search(bare)
        ):
            giver = party = None
        elif own is not None:
            giver, party = own, None
        elif giver is not None:
            item = giver + item
        else:
            party = None
        out.append(item)
    return out


def _expand_group(items: list[str]) -> list[Party]:
    items = distribute_prefix(items)
    out: list[Party] = []
    i = 0
    while i < len(items):
        item = items[i]
        # Gather a run: item with an organ suffix followed by bare organs (政府, 管委会 …).
        j = i + 1
        while j < len(items) and (_is_bare_organ(items[j]) or LEVEL_ORGAN.match(items[j])):
            j += 1
        organ = _organ_suffix(item)
        followers = items[i + 1 : j]
        level = LEVEL_SUFFIX.search(item)
        if followers and organ is None and level is None:
            followers = []
            j = i + 1
        if not followers:
            if organ is not None and PLACE_END.search(item[: len(item) - len(organ)]):
                # Bare place names just before share the organ: "甘谷县、武山县人民政府".
                k = len(out)
                while k and PLACE_END.search(out[k - 1].name) and not out[k - 1].collective:
                    k -= 1
                out[k:] = [Party(p.name + organ) for p in out[k:]]
            out.append(Party(item, COLLECTIVE.search(item) is not None))
            i += 1
            continue
        if COLLECTIVE.search(item):
            out.append(Party("、".join([item, *followers]), True))
            i = j
            continue
        names: list[str] = []
        if all(_is_bare_organ(f) for f in followers) and organ is not None:
            place = item[: len(item) - len(organ)]
            organs = [organ, *followers]
            # Bare place names just before share the organs: "济阳县、长清区党委、政府".
            places = [place]
            while out and PLACE_END.search(out[-1].name) and not out[-1].collective:
                places.insert(0, out.pop().name)
            names = [p + o for p in places for o in organs]
        else:
            base = item[: level.start()] if level else item
            names = [item]
            for follower in followers:
                names.append(base + follower if LEVEL_ORGAN.match(follower) else follower)
        out.extend(Party(n) for n in names)
        i = j
    return out


@lru_cache(maxsize=4096)
def parse_units(text: str | None) -> tuple[Party, ...]:
    """Split and expand a unit field ("市环保局、市金融办、各县区党委、政府").

    Plans repeat the same fields, and the parties are immutable, so each is remembered."""
    if not text:
        return ()
    parties: list[Party] = []
    for group in _split_top(_clean(text), ",;"):
        items = [_TRAIL.sub("", it).strip() for it in _split_top(group, "、")]
        parties.extend(_expand_group([it for it in items if it and not PLACEHOLDER.match(it)]))
    seen: set[str] = set()
    unique = []
    for party in parties:
        if party.name not in seen:
            seen.add(party.name)
            unique.append(party)
    return tuple(unique)


@lru_cache(maxsize=4096)
def parse_persons(text: str | None) -> tuple[Party, ...]:
    """Split a person field; a role suffix distributes over the items before it that lack one.

    "市环保局、市公安局主要负责人" → 市环保局主要负责人, 市公安局主要负责人. A field where only
    the last group carries the role ("A、B,C党委、政府主要负责人") gives every item the role,
    since a unit named in a person field stands for its head.
    """
    if not text:
        return ()
    groups = [
        [_TRAIL.sub("", it).strip() for it in _split_top(g, "、")]
        for g in _split_top(_clean(text), ",;")
    ]
    flat = [(it, gi) for gi, g in enumerate(groups) for it in g if it and not PLACEHOLDER.match(it)]
    out: list[Party] = []
    pending: list[str] = []
    for item, _group in flat:
        role = _ROLE.search(item)
        if role is None:
            pending.append(item)
            continue
        head = item[: role.start()]
        units = _expand_group([*pending, head]) if head else _expand_group(pending)
        pending = []
        for unit in units:
            out.append(Party(unit.name + role.group(1), unit.collective))
    # Items with no role anywhere after them are names of people or posts: keep as written.
    out.extend(Party(item, COLLECTIVE.search(item) is not None) for item in pending)
    return tuple(out)
