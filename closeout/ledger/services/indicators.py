"""The plan's indicators (目标指标) and the values measured against them, entered by the
office; each change audited in its transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound, NotPermitted
from closeout.ledger.models import Indicator, IndicatorReading, Plan, PlanStatus
from closeout.ledger.rules import dates
from closeout.ledger.rules.indicators import AT_LEAST, AT_MOST
from closeout.ledger.services.audit import audit


def _require(actor: Actor) -> None:
    if not access.can_record_indicators(actor):
        raise NotPermitted(_("Indicators are entered by the rectification office."))


@transaction.atomic
def add_indicator(
    actor: Actor,
    plan_id: int,
    *,
    name: str,
    direction: str,
    target: Decimal,
    target_date: dt.date,
    measure_unit: str = "",
    baseline: Decimal | None = None,
    baseline_date: dt.date | None = None,
    source_text: str = "",
) -> Indicator:
    """A quantified target of a confirmed plan, e.g. PM2.5 ≤ 45 μg/m³ by 2020-12-31."""
    _require(actor)
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    if plan.status != PlanStatus.CONFIRMED:
        raise InvalidInput(_("Indicators are set on a confirmed plan."), field="plan")
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the indicator."), field="name")
    if direction not in (AT_MOST, AT_LEAST):
        raise InvalidInput(
            _("Say whether the target is a maximum or a minimum."), field="direction"
        )
    dates.check_date(
        target_date, field="target_date", label=_("target date"), today=clock.today()
    )
    if baseline_date is not None:
        dates.check_date(
            baseline_date,
            field="baseline_date",
            label=_("baseline date"),
            today=clock.today(),
            happened=True,
        )
        if baseline_date > target_date:
            raise InvalidInput(
                _("The baseline comes before the target date."), field="baseline_date"
            )
    indicator = Indicator(
        plan=plan,
        name=name,
        direction=direction,
        target=target,
        target_date=target_date,
        measure_unit=measure_unit.strip(),
        baseline=baseline,
        baseline_date=baseline_date,
        source_text=source_text.strip(),
    )
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError:
        raise InvalidInput(
            _("The plan already has an indicator named %(name)s.") % {"name": name}, field="name"
        ) from None
    audit(
        actor,
        "indicator.create",
        indicator,
        after={
            "plan": plan.pk,
            "name": name,
            "direction": direction,
            "target": str(target),
            "target_date": target_date,
            "baseline": None if baseline is None else str(baseline),
        },
    )
    return indicator


@transaction.atomic
def record_reading(
    actor: Actor, indicator_id: int, *, date: dt.date, value: Decimal, note: str = ""
) -> IndicatorReading:
    """The value measured on a date; a second value for the same date replaces the first
    (a corrected figure), and the audit event keeps both."""
    _require(actor)
    indicator = Indicator.objects.select_for_update().filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFound(_("indicator %(id)s does not exist") % {"id": indicator_id})
    dates.check_date(
        date, field="date", label=_("date measured"), today=clock.today(), happened=True
    )
    reading = IndicatorReading.objects.filter(indicator=indicator, date=date).first()
    before = None
    if reading is None:
        reading = IndicatorReading(indicator=indicator, date=date)
    else:
        before = {"value": str(reading.value), "note": reading.note}
    reading.value = value
    reading.note = note.strip()
    reading.recorded_by_id = actor.user_id
    reading.save()
    audit(
        actor,
        "indicator.reading",
        reading,
        before=before,
        after={"indicator": indicator.pk, "date": date, "value": str(value), "note": reading.note},
    )
    return reading
