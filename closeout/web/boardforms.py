"""Forms of the leader board (挂图作战): the plan it shows, and the office's indicators."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models import IndicatorDirection
from closeout.web.forms import DateInput


def _value(label: Any, *, required: bool = True) -> forms.DecimalField:
    """A measured value as the indicator tables keep it (14 digits, 4 after the point)."""
    return forms.DecimalField(label=label, required=required, max_digits=14, decimal_places=4)


class BoardFilterForm(forms.Form):
    """?plan=N narrows the board to one plan; anything else is ignored."""

    plan = forms.IntegerField(label=_("Plan"), required=False, min_value=1, max_value=2**31 - 1)

    def plan_id(self) -> int | None:
        return self.cleaned_data.get("plan") if self.is_valid() else None


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    measure_unit = forms.CharField(label=_("Unit of measure"), max_length=40, required=False)
    direction = forms.ChoiceField(label=_("Target means"), choices=IndicatorDirection.choices)
    target = _value(_("Target"))
    target_date = forms.DateField(label=_("Target date"), widget=DateInput())
    baseline = _value(_("Baseline"), required=False)
    baseline_date = forms.DateField(label=_("Baseline date"), required=False, widget=DateInput())
    source_text = forms.CharField(label=_("As written in the plan"), max_length=500, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReadingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    value = _value(_("Value"))
    note = forms.CharField(label=_("Source"), max_length=200, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["value"] = Decimal(data["value"])
        return data
