"""An office's own ledger (台账) of N rows, written as offices keep theirs, for
`closeout benchimport --ledger-draft`: a title and a 填报 row above a two-row header
(责任单位 merged over 牵头单位/配合单位), a section heading every 50 rows, each problem
with its 序号 merged over its two or three tasks, deadlines as written, and the progress
columns (进展情况, 进度(%), 完成情况) filled as a ledger in use has them."""

from __future__ import annotations

import io
import random

from openpyxl import Workbook

HEADER = (
    ["序号", "反馈问题", "整改目标", "整改措施", "责任单位", None, "督导单位", "责任人",
     "整改时限", "进展情况", "进度(%)", "完成情况"],
    [None, None, None, None, "牵头单位", "配合单位", None, None, None, None, None, None],
)  # fmt: skip
SECTIONS = ("大气污染防治", "水污染防治", "土壤污染防治", "生态保护修复", "固体废物处置")
PROBLEMS = ("城区扬尘污染管控不力", "燃煤锅炉淘汰滞后", "黑臭水体整治不彻底",
            "饮用水水源地保护区内存在违法建筑", "工业园区污水集中处理设施不完善",
            "矿山生态修复进展缓慢", "危险废物规范化管理不到位", "秸秆露天焚烧屡禁不止")  # fmt: skip
MEASURES = ("开展专项执法检查，依法查处违法行为", "完成截污纳管工程建设",
            "全面淘汰10蒸吨以下燃煤锅炉", "拆除保护区内违法建筑并恢复植被",
            "建立长效监管机制，定期通报进展", "实施矿山地质环境治理",
            "推进集中处理设施提标改造")  # fmt: skip
DEADLINES = ("2024年12月底前", "2025年6月底前", "立行立改", "长期坚持", "2024年9月底前完成，"
             "长期坚持", "2025年底前")  # fmt: skip
COMPLETIONS = ("推进中", "已完成", "序时推进", "未完成", "已完成，长期坚持")


def office_ledger(rows: int, units: list[str], *, city: str = "济南市", seed: int = 7) -> bytes:
    """The workbook's bytes: `rows` task rows naming `units` (lead, cooperating and
    supervising units drawn from them)."""
    rng = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws.append([f"{city}第二轮中央生态环境保护督察反馈问题整改落实台账"])
    ws.append(["填报单位：市整改办"] + [None] * 8 + ["填报日期：2024年6月30日"])
    for line in HEADER:
        ws.append(line)
    merges = ["A1:L1", "E3:F3"] + [f"{c}3:{c}4" for c in "ABCDGHIJKL"]
    r = 5  # the next row to write
    written = 0
    problem = 0
    while written < rows:
        if written % 50 == 0:
            ws.append([f"{'一二三四五'[(written // 50) % 5]}、{SECTIONS[(written // 50) % 5]}"])
            merges.append(f"A{r}:L{r}")
            r += 1
        problem += 1
        size = min(rng.choice((1, 2, 3)), rows - written)
        title = f"{PROBLEMS[problem % len(PROBLEMS)]}（第{problem}项）"
        for k in range(size):
            lead, coop, supervisor = rng.sample(units, 3) if len(units) >= 3 else units * 3
            percent = rng.choice((0, 20, 40, 60, 80, 100))
            done = percent == 100
            measure = f"{MEASURES[(problem + k) % len(MEASURES)]}（{written + 1}）"
            ws.append([
                problem if k == 0 else None, title if k == 0 else None,
                "问题整改到位，群众满意", measure,
                lead, coop, supervisor, f"{lead}主要负责人",
                DEADLINES[(problem + k) % len(DEADLINES)],
                f"截至6月底，已完成{percent}%的工作量，累计检查点位{rng.randint(5, 400)}个",
                percent, "已完成" if done else rng.choice(COMPLETIONS[:1] + COMPLETIONS[2:4]),
            ])  # fmt: skip
            written += 1
        if size > 1:
            merges += [f"A{r}:A{r + size - 1}", f"B{r}:B{r + size - 1}"]
        r += size
    for ref in merges:
        ws.merge_cells(ref)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
