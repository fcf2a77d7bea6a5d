"""The circular (调度通报) of a period as a Word document, and the office's own template.

`circular_document` reads the period's frozen figures (`selectors.circular`), takes the
circular's number (`numbering.document_number`, kind "circular", key
"circular:<period end>[:<plan>]": issued the first time, the same number whenever the
circular is generated again) and writes the document: through the office's template
when it keeps one (or the one given), else in the built-in official layout
(`closeout.documents.circular`). The document's date is the day its number was issued,
so a circular generated again is the same document.

The charts (bucket shares of the periods up to this one, the units most behind) are
drawn as PNG by `closeout.documents.circularcharts`.

The office's template is one .docx kept under the data folder
(`CLOSEOUT_DATA_DIR/templates/circular.docx`, with its original name beside it); it is
checked by rendering it with sample data before it is kept, and every change is audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closeout.documents import circular as document
from closeout.documents import circularcharts
from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound, NotPermitted
from closeout.ledger.models import LoopSettings, NumberKind
from closeout.ledger.selectors.circular import CircularFigures, ListedTask, circular_figures
from closeout.ledger.services.audit import audit
from closeout.ledger.services.numbering import document_number

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
RANKED_IN_CHART = 15


@dataclass(frozen=True)
class CircularFile:
    name: str  # a file name for the download, e.g. 调度通报-2026-12-06.docx
    data: bytes
    number: str
    figures: CircularFigures


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    size: int
    sha256: str
    uploaded_at: str


def _folder() -> Path:
    return Path(settings.DATA_DIR) / "templates"


def _template_path() -> Path:
    return _folder() / "circular.docx"


def _info_path() -> Path:
    return _folder() / "circular.json"


def circular_data(
    figures: CircularFigures, *, body: str, number: str, day: dt.date,
    charts: dict[str, bytes] | None = None,
) -> document.CircularData:  # fmt: skip
    """The document's data from the period's figures."""
    return document.CircularData(
        issuing_body=body,
        number=number,
        date=day,
        period_start=figures.period_start,
        period_end=figures.period_end,
        plan_title=figures.plan_title,
        previous_end=figures.previous_end,
        buckets=[
            document.BucketLine(key, n, figures.change(key)) for key, n in figures.buckets.items()
        ],
        ranking=[
            document.UnitLine(u.name, u.tasks, u.overdue, u.behind, u.missed, u.rebounds)
            for u in figures.ranking
        ],
        units_counted=figures.units_counted,
        overdue=[_task(t) for t in figures.overdue],
        overdue_total=figures.overdue_total,
        lagging=[_task(t) for t in figures.lagging],
        lagging_total=figures.lagging_total,
        measures=[
            document.MeasureLine(m.issued_on, m.level, m.unit, m.task_seq, m.task, m.reason,
                                 m.issued_by)
            for m in figures.measures
        ],
        measures_total=figures.measures_total,
        lookbacks=[
            document.LookbackLine(c.checked_on, c.task_seq, c.task, c.unit, c.months, c.rebound,
                                  c.findings)
            for c in figures.lookbacks
        ],
        lookbacks_total=figures.lookbacks_total,
        charts=dict(charts or {}),
    )


def _task(t: ListedTask) -> document.TaskLine:
    return document.TaskLine(
        seq=t.seq, plan=t.plan, task=t.text, units=t.units, due=t.due, deadline=t.deadline,
        progress=t.progress, expected=t.expected, days_overdue=t.days_overdue,
    )  # fmt: skip


def circular_document(
    actor: Actor,
    *,
    period_end: dt.date | None,
    plan_id: int | None = None,
    charts: bool = True,
    template: bytes | None = None,
    office_template: bool = True,
) -> CircularFile:
    """The circular of the period containing `period_end` (None: the latest period),
    with its charts unless `charts` is False:
    through `template` when given, else the office's template when it keeps one (and
    `office_template`), else the built-in layout. InvalidInput (field "template") when
    the template does not render."""
    figures = circular_figures(actor, period_end, plan_id)
    loop = LoopSettings.current()
    scope = f"《{figures.plan_title}》" if figures.plan_title else ""
    issued = document_number(
        kind=NumberKind.CIRCULAR,
        key=figures.key,
        body=loop.issuing_body,
        year=figures.period_end.year,
        purpose=f"调度通报{scope} {figures.period_start.isoformat()}–{figures.period_end}",
        actor=actor,
    )
    day = timezone.localdate(issued.issued_at)
    data = circular_data(figures, body=issued.body, number=issued.text, day=day)
    if charts:
        data = dataclasses.replace(data, charts=draw_charts(figures, data))
    if template is None and office_template:
        template = office_template_bytes()
    try:
        out = document.render_template(template, data) if template else document.build(data)
    except document.TemplateError as exc:
        raise InvalidInput(str(exc), field="template") from None
    suffix = f"-{figures.plan_id}" if figures.plan_id is not None else ""
    return CircularFile(
        name=f"调度通报-{figures.period_end.isoformat()}{suffix}.docx",
        data=out,
        number=issued.text,
        figures=figures,
    )


def draw_charts(figures: CircularFigures, data: document.CircularData) -> dict[str, bytes]:
    """The circular's charts as PNG (none for the ranking when no unit lags)."""
    periods = [
        (p.period_end, [document.BucketLine(k, n) for k, n in p.buckets.items()])
        for p in figures.series
    ]
    drawn = {"chart_buckets": circularcharts.bucket_shares(periods)}
    if data.ranking:
        drawn["chart_ranking"] = circularcharts.unit_ranking(data.ranking[:RANKED_IN_CHART])
    return drawn


# --- the office's template -----------------------------------------------------------


def office_template_bytes() -> bytes | None:
    path = _template_path()
    return path.read_bytes() if path.exists() else None


def office_template_info() -> TemplateInfo | None:
    """The office's template as kept (None: the built-in layout is used)."""
    if not _template_path().exists() or not _info_path().exists():
        return None
    try:
        found = json.loads(_info_path().read_text("utf-8"))
        return TemplateInfo(found["name"], found["size"], found["sha256"], found["uploaded_at"])
    except (ValueError, KeyError, TypeError):
        return None


def _require_office(actor: Actor) -> None:
    if not access.can_manage_settings(actor):
        raise NotPermitted(_("Only the rectification office keeps the circular's template."))


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def circular_template_save(actor: Actor, *, name: str, data: bytes) -> TemplateInfo:
    """Keep the office's template after checking it renders with the documented
    context (InvalidInput naming the file or the tag otherwise)."""
    _require_office(actor)
    name = Path(name or "").name
    if not name.lower().endswith(".docx"):
        raise InvalidInput(
            _("%(name)s: the template must be a Word .docx file") % {"name": name or "?"},
            field="template",
        )
    if len(data) > MAX_TEMPLATE_BYTES:
        raise InvalidInput(
            _("%(name)s: the template is larger than %(mb)s MB")
            % {"name": name, "mb": MAX_TEMPLATE_BYTES // (1024 * 1024)},
            field="template",
        )
    try:
        document.check_template(data)
    except document.TemplateError as exc:
        raise InvalidInput(f"{name}: {exc}", field="template") from None
    info = TemplateInfo(
        name=name[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=timezone.now().isoformat(timespec="seconds"),
    )
    before = office_template_info()
    with transaction.atomic():
        audit(
            actor, "circular.template_save", LoopSettings.current(),
            before={"name": before.name, "sha256": before.sha256} if before else None,
            after={"name": info.name, "sha256": info.sha256, "size": info.size},
        )  # fmt: skip
        _write(_template_path(), data)
        _write(_info_path(), json.dumps(info.__dict__, ensure_ascii=False).encode("utf-8"))
    return info


def circular_template_remove(actor: Actor) -> None:
    """Go back to the built-in layout (NotFound when no template is kept)."""
    _require_office(actor)
    before = office_template_info()
    if before is None and not _template_path().exists():
        raise NotFound(_("No circular template is kept."))
    with transaction.atomic():
        audit(
            actor, "circular.template_remove", LoopSettings.current(),
            before={"name": before.name, "sha256": before.sha256} if before else None,
        )  # fmt: skip
        _template_path().unlink(missing_ok=True)
        _info_path().unlink(missing_ok=True)


__all__ = [
    "CircularFile",
    "TemplateInfo",
    "circular_data",
    "circular_document",
    "circular_template_remove",
    "circular_template_save",
    "office_template_bytes",
    "office_template_info",
]
