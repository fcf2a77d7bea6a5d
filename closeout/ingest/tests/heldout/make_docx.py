"""Regenerate the held-out corpus's .docx documents (run from the repository root).

`python closeout/ingest/tests/heldout/make_docx.py` writes each document below; the
zip's timestamps change from run to run, the content does not. Their gold files are
written by hand beside them.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document

HERE = Path(__file__).parent


def _merge_down(table, col: int, first: int, last: int) -> None:
    table.cell(first, col).merge(table.cell(last, col))


def xilingol_2022_qingdan() -> Document:
    """锡林郭勒盟: a two-row header, section rows across the table, a merged problem."""
    doc = Document()
    doc.add_paragraph("锡林郭勒盟贯彻落实中央生态环境保护督察反馈意见整改清单")
    doc.add_paragraph("锡林郭勒盟行政公署办公室　2022年4月8日")
    doc.add_paragraph(
        "为抓好中央第三生态环境保护督察组反馈意见整改，盟行政公署研究制定本整改清单，"
        "请各地各部门认真抓好落实。"
    )
    header = ["序号", "问题", "整改时限", "整改措施", "责任单位", ""]
    sub = ["", "", "", "", "牵头单位", "配合单位"]
    rows = [
        ["一、生态保护"] + [""] * 5,
        [
            "1",
            "锡林浩特市部分露天煤矿未按要求落实排土场生态恢复",
            "2022年9月底前",
            "制定排土场生态恢复方案，完成植被恢复面积2000亩",
            "锡林浩特市人民政府",
            "盟自然资源局、生态环境局",
        ],
        [
            "",
            "",
            "长期坚持",
            "建立矿山生态恢复验收销号制度，常态化开展监督检查",
            "盟自然资源局",
            "盟能源局",
        ],
        [
            "2",
            "部分地区违规开垦草原",
            "立即整改，2023年6月底前",
            "立即停止违规开垦行为，完成退耕还草",
            "盟林业和草原局",
            "各旗县（市、区）人民政府",
        ],
        ["二、污染防治"] + [""] * 5,
        [
            "3",
            "部分旗县城镇污水处理厂污泥未规范处置",
            "2022年12月底前",
            "建成污泥无害化处置设施",
            "西乌珠穆沁旗、东乌珠穆沁旗人民政府",
            "盟住房和城乡建设局",
        ],
        [
            "4",
            "二连浩特口岸煤炭货场扬尘污染问题突出",
            "2023年10月31日前",
            "对二连浩特口岸煤炭货场实施全封闭改造",
            "二连浩特市人民政府",
            "盟交通运输局",
        ],
    ]
    table = doc.add_table(rows=2 + len(rows), cols=6)
    table.style = "Table Grid"
    for r, values in enumerate([header, sub, *rows]):
        for c, value in enumerate(values):
            if value:
                table.cell(r, c).text = value
    for col in range(4):
        _merge_down(table, col, 0, 1)
    table.cell(0, 4).merge(table.cell(0, 5))
    for r in (2, 6):
        table.cell(r, 0).merge(table.cell(r, 5))
    _merge_down(table, 0, 3, 4)
    _merge_down(table, 1, 3, 4)
    doc.add_paragraph("注：各责任单位每月25日前将整改进展报盟督察整改办。")
    return doc


def wuhai_2024_xiaohao_gongshi() -> Document:
    """乌海市海勃湾区: a close-out notice whose fields are a two-column table."""
    doc = Document()
    doc.add_paragraph("乌海市海勃湾区关于中央生态环境保护督察反馈问题整改验收销号的公示")
    doc.add_paragraph(
        "根据《乌海市生态环境保护督察反馈问题整改验收销号办法》，海勃湾区对下列整改任务"
        "组织了验收，现将验收销号情况公示如下："
    )
    fields = [
        ("问题编号", "WH-07"),
        ("整改任务", "海勃湾区千里山工业园区企业无组织排放整治，完成园区12家企业料场全封闭改造"),
        ("责任单位", "海勃湾区人民政府"),
        ("督导单位", "市生态环境局"),
        ("责任人", "赵志刚"),
        ("整改时限", "2023年11月底前"),
        ("完成情况", "已完成。园区12家企业料场全部完成全封闭改造，道路实现硬化和定期洒水清扫。"),
        ("验收单位", "市生态环境局、市工业和信息化局"),
    ]
    table = doc.add_table(rows=len(fields), cols=2)
    table.style = "Table Grid"
    for r, (label, value) in enumerate(fields):
        table.cell(r, 0).text = label
        table.cell(r, 1).text = value
    doc.add_paragraph("公示时间：2024年1月8日至1月14日。联系电话：0473-2012xxx。")
    doc.add_paragraph("海勃湾区生态环境保护督察整改工作领导小组办公室")
    doc.add_paragraph("2024年1月8日")
    return doc


def hulunbuir_2024_shishi_fangan() -> Document:
    """呼伦贝尔市: a 实施方案 with bold headings, items numbered (1) across sections and
    an item number in its own bold run."""
    doc = Document()
    doc.add_paragraph().add_run("呼伦贝尔市2024年大气污染防治实施方案").bold = True
    doc.add_paragraph("呼伦贝尔市人民政府办公室　2024年3月12日")
    doc.add_paragraph().add_run("一、工作目标").bold = True
    doc.add_paragraph(
        "2024年，中心城区细颗粒物（PM2.5）平均浓度控制在20微克/立方米以内，"
        "优良天数比率保持在95%以上。"
    )
    doc.add_paragraph().add_run("二、重点任务").bold = True
    items = [
        (
            "（一）推进燃煤锅炉综合整治",
            [
                (
                    "（1）",
                    "2024年10月15日前，完成海拉尔区、扎兰屯市建成区内剩余燃煤小锅炉淘汰。"
                    "（市生态环境局牵头，海拉尔区、扎兰屯市人民政府负责落实）",
                ),
                (
                    "（2）",
                    "每年采暖季前完成集中供热企业脱硫脱硝设施检修。"
                    "（市住房和城乡建设局牵头，市生态环境局配合）",
                ),
            ],
        ),
        (
            "（二）加强秸秆禁烧和草原防火",
            [
                (
                    "（3）",
                    "落实秸秆禁烧网格化管理，常态化开展巡查（市农牧局牵头，各旗市区人民政府"
                    "负责落实）；强化春秋两季草原防火期野外用火管控（市林业和草原局负责）。",
                ),
            ],
        ),
        (
            "（三）推进扬尘污染治理",
            [
                (
                    "（4）",
                    "2024年6月底前，满洲里市、牙克石市完成城区裸露地面绿化硬化（满洲里市、"
                    "牙克石市人民政府负责，市住房和城乡建设局、自然资源局指导）。",
                ),
            ],
        ),
    ]
    for heading, measures in items:
        doc.add_paragraph().add_run(heading).bold = True
        for number, text in measures:
            paragraph = doc.add_paragraph()
            paragraph.add_run(number).bold = True
            paragraph.add_run(text)
    doc.add_paragraph().add_run("三、保障措施").bold = True
    doc.add_paragraph(
        "各旗市区、各有关部门要于每月5日前报送上月工作进展，"
        "市大气污染防治工作领导小组办公室每季度通报一次。"
    )
    return doc


DOCUMENTS = {
    "tables/xilingol_2022_qingdan.docx": xilingol_2022_qingdan,
    "single_task/wuhai_2024_xiaohao_gongshi.docx": wuhai_2024_xiaohao_gongshi,
    "programmes/hulunbuir_2024_shishi_fangan.docx": hulunbuir_2024_shishi_fangan,
}


def main() -> None:
    for name, build in DOCUMENTS.items():
        build().save(str(HERE / name))


if __name__ == "__main__":
    main()
