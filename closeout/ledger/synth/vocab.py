"""Words the synthetic ledger is made of: places, departments, and per category what goes
wrong, what is done about it and what it should achieve."""

from __future__ import annotations

import datetime as dt
from typing import Any

from closeout.ledger.models import Category, InspectionKind, ProblemSource
from closeout.ledger.rules.workflow import Status

# ---------------------------------------------------------------------------- vocabulary
# Word lists are space-separated strings: compact, and the formatter leaves them alone.


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CITIES = _words("济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽")
PLACE_A = "历长平章高莱文宁东西南北金银明安德昌临河清阳兴福泰"
PLACE_B = "下城阴丘山芜城海江源庄口水泉乐陵平成州台亭坊"
TOWN_B = _words("街道 镇 镇 乡")
DEPARTMENTS = _words("""
    生态环境局 住房和城乡建设局 水务局 自然资源和规划局 农业农村局 发展和改革委员会
    工业和信息化局 公安局 财政局 交通运输局 城市管理局 卫生健康委员会 应急管理局
    市场监督管理局 林业局 商务局 教育局 科学技术局 司法局 审计局 统计局 文化和旅游局
    行政审批服务局 国有资产监督管理委员会 海洋发展局 畜牧兽医局 综合行政执法局 医疗保障局
    退役军人事务局 民政局""")
SUPERVISORS = _words(
    "委督查室 政府督查室 人大常委会办公室 政协办公室 纪委监委 督导一组 督导二组 督导三组"
)
INSPECTIONS = (
    (InspectionKind.CENTRAL, 1, "中央第三生态环境保护督察组督察", dt.date(2017, 8, 10)),
    (InspectionKind.PROVINCIAL, 1, "省第二生态环境保护督察组督察", dt.date(2018, 11, 5)),
    (InspectionKind.LOOK_BACK, 1, "中央生态环境保护督察“回头看”", dt.date(2019, 6, 1)),
    (InspectionKind.SPECIAL, 1, "固体废物污染防治专项督察", dt.date(2021, 4, 12)),
)
RIVERS = _words(
    "小清河 大汶河 沂河 沭河 徒骇河 马颊河 南四湖 东平湖 白浪河 潍河 胶莱河 弥河 孝妇河 泗河"
)


def _vocab(issues: str, objects: str, measures: str, goals: str) -> tuple[tuple[str, ...], ...]:
    """What goes wrong, the object of the work, measures, goals (one category)."""
    return _words(issues), _words(objects), _words(measures), _words(goals)


VOCAB: dict[str, tuple[tuple[str, ...], ...]] = {
    Category.WATER: _vocab(
        "{river}流域水质改善不明显 城市黑臭水体整治进展滞后 污水处理厂超负荷运行"
        " 饮用水水源保护区内违法建设问题未清理 雨污合流管网溢流严重",
        "{river}流域综合治理 黑臭水体整治 城镇污水处理厂提标改造 雨污分流管网建设"
        " 饮用水水源地规范化建设 入河排污口排查整治",
        "开展入河排污口排查溯源 实施截污纳管工程 完成污水处理厂扩建 建立河长巡河制度"
        " 清理保护区内违法建筑",
        "水质稳定达到Ⅳ类标准 基本消除黑臭水体 城市污水处理率不低于96%",
    ),
    Category.AIR: _vocab(
        "大气污染防治工作不力 燃煤锅炉淘汰不到位 建筑工地扬尘污染突出 挥发性有机物治理滞后"
        " 秋冬季重污染天气应对不力",
        "燃煤锅炉综合整治 扬尘污染防治 挥发性有机物综合治理 散乱污企业整治 重型柴油车污染治理"
        " 清洁取暖改造",
        "淘汰35蒸吨以下燃煤锅炉 落实工地扬尘防治“六个百分之百” 推进重点行业超低排放改造"
        " 建立散乱污企业动态管理台账 加强油品质量监督检查",
        "PM2.5年均浓度持续下降 空气质量达标天数比例达到70%以上 重污染天数明显减少",
    ),
    Category.SOLID_WASTE: _vocab(
        "危险废物处置能力不足 建筑垃圾随意倾倒 生活垃圾填埋场渗滤液超标 工业固体废物违规堆存",
        "危险废物规范化管理 建筑垃圾消纳场建设 生活垃圾焚烧发电项目建设 工业固废堆场整治",
        "开展危险废物专项排查 建设建筑垃圾资源化利用设施 完成渗滤液处理设施升级 清运历史遗留固废",
        "危险废物填埋比下降到12%以下 生活垃圾无害化处理率达到100%",
    ),
    Category.SOIL: _vocab(
        "污染地块再开发利用监管缺位 受污染耕地安全利用推进缓慢",
        "污染地块风险管控 受污染耕地安全利用 重点行业企业用地调查",
        "建立污染地块名录 实施土壤污染治理与修复工程 开展农用地土壤环境质量类别划分",
        "受污染耕地安全利用率达到93% 污染地块安全利用率达到95%以上",
    ),
    Category.ECOLOGY: _vocab(
        "自然保护区内违规开发 矿山生态修复滞后 湿地保护不力 岸线违规占用",
        "自然保护区违规问题整改 废弃矿山生态修复 湿地保护与修复 河湖岸线清理整治",
        "拆除保护区内违法建筑 完成矿山复绿 实施退耕还湿 清理河道“四乱”问题",
        "生态修复、污染消除、群众满意 恢复植被面积不少于200公顷",
    ),
    Category.RESPONSIBILITY: _vocab(
        "生态环境保护责任落实不到位 “党政同责、一岗双责”落实不到位 思想认识存在偏差",
        "生态环境保护责任体系建设 环境保护目标责任考核 领导干部自然资源资产离任审计",
        "制定生态环境保护责任清单 将整改纳入年度综合考核 开展警示教育 严肃追责问责",
        "责任体系健全、考核到位 整改责任全面压实",
    ),
    Category.INDUSTRY: _vocab(
        "产业结构偏重 能源消费以煤为主 高耗能项目盲目上马",
        "落后产能淘汰 能源结构调整 “两高”项目清理 化工园区整治",
        "关停淘汰落后产能 压减煤炭消费总量 开展化工企业“四评级一评价” 实施清洁能源替代",
        "煤炭消费总量下降10% 落后产能全部退出",
    ),
    Category.SUPERVISION: _vocab(
        "环境执法宽松软 环评审批把关不严 在线监测数据造假",
        "环境执法监管 环评审批管理 自动监控设施运维监管",
        "开展专项执法行动 建立双随机抽查机制 严厉查处监测数据造假 公开曝光典型案例",
        "执法监管常态化 违法行为得到有效遏制",
    ),
    Category.OTHER: _vocab(
        "群众反映强烈的环境问题解决不及时 信访件办理不到位",
        "群众信访问题办理 噪声油烟扰民整治",
        "逐件核查群众举报 开展噪声油烟专项治理",
        "群众满意 信访件全部办结",
    ),
}
CATEGORY_WEIGHTS = {
    Category.WATER: 22,
    Category.AIR: 20,
    Category.SOLID_WASTE: 12,
    Category.SOIL: 6,
    Category.ECOLOGY: 14,
    Category.RESPONSIBILITY: 8,
    Category.INDUSTRY: 8,
    Category.SUPERVISION: 8,
    Category.OTHER: 2,
}
SOURCES = (
    (ProblemSource.FEEDBACK, 40),
    (ProblemSource.COMPLAINT, 45),
    (ProblemSource.GRID_PATROL, 5),
    (ProblemSource.SELF_INSPECTION, 10),
)
OPENERS = _words("加快推进 全面开展 扎实推进 深入实施 持续开展 抓紧完成")
REPORTS = _words(
    "已完成现场排查,形成问题清单 {measure}工作已启动 {measure}已完成{pct}%"
    " 累计排查点位{n}处,已整改{m}处 工程主体已完工,正在组织验收 已制定实施方案并印发"
    " 本周继续推进{measure},未发现反弹"
)
POSTS = _words("副市长 市委常委、副市长 市政府秘书长 副区长 副县长")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "建国伟强军平华明志红丽静海涛波斌鹏"

# Life-cycle mix: mostly in progress or closed, some in every close-out step; tasks whose
# deadline has not come yet are mostly still in progress.
_STEPS = (Status.DRAFT, Status.IN_PROGRESS, Status.REQUESTED, Status.NOTICE,
          Status.VERIFICATION, Status.VERIFIED, "done", Status.CANCELLED)  # fmt: skip
STATUS_WEIGHTS_PAST_DUE = tuple(zip(_STEPS, (1, 30, 4, 2, 2, 2, 57, 2), strict=True))
STATUS_WEIGHTS_OPEN = tuple(zip(_STEPS, (4, 70, 5, 2, 2, 1, 14, 2), strict=True))


def _choices(pairs: tuple[tuple[Any, int], ...]) -> tuple[list[Any], list[int]]:
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)
