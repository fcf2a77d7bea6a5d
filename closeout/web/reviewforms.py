"""Forms of the plan review page: units and persons of a task, a name decided for all its
occurrences, the plan's default supervising unit.

A unit is picked in a text field that shares one `<datalist>` on the page (filled by
review.js from the unit search as the office types) and, without JavaScript, takes a
name, full name or alias that one unit answers to; the field reads it back through
`selectors.unit_pick`, whose refusal lists the units it could mean.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from closeout.ledger import selectors
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.models import AssignmentRole, PersonRole, Unit
from closeout.ledger.rules import limits
from closeout.web.forms import DateInput

UNITS_DATALIST = "review-units"
DROP = "drop"


class TaskFieldsForm(forms.Form):
    """A draft task's fields as the office corrects them; the texts within their limits
    and the dates held by the service to `rules.dates` (the due date not before the
    start date), its errors shown at the field."""

    text = forms.CharField(
        label=_("Task"),
        max_length=limits.TASK_TEXT.chars,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target = forms.CharField(
        label=_("Rectification target"), required=False, max_length=limits.TASK_TARGET.chars
    )
    deadline_raw = forms.CharField(
        label=_("Deadline as written"), required=False, max_length=limits.DEADLINE_RAW.chars
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)


class UnitPickInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "list": UNITS_DATALIST,
                "autocomplete": "off",
                "data-unit-picker": "",
                "maxlength": "140",
                "placeholder": _("type a unit's name"),
                **(attrs or {}),
            }
        )


class ActorForm(forms.Form):
    """A form whose unit fields are read back for an actor."""

    unit_fields: tuple[str, ...] = ("unit",)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)

    def _pick(self, name: str) -> Unit | None:
        value = self.cleaned_data.get(name) or ""
        if not value.strip():
            if self.fields[name].required:
                raise forms.ValidationError(_("Pick a unit."))
            return None
        try:
            return selectors.unit_pick(self.actor, value, field=name)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


def _unit_field(label: Any, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=140, widget=UnitPickInput())


class AssignForm(ActorForm):
    """A unit's part in a task: add one, or change one (the same fields)."""

    unit = _unit_field(_("Unit"))
    role = forms.ChoiceField(label=_("Part"), choices=AssignmentRole.choices)

    def clean_unit(self) -> Unit | None:
        return self._pick("unit")


class PersonForm(ActorForm):
    """A responsible person (责任人) as the plan writes it, with the unit and the post."""

    text = forms.CharField(label=_("Responsible person as written"), max_length=200)
    unit = _unit_field(_("Unit"), required=False)
    post = forms.CharField(label=_("Post"), max_length=60, required=False)
    role = forms.ChoiceField(
        label=_("Part"), choices=PersonRole.choices, initial=PersonRole.RESPONSIBLE
    )

    def clean_unit(self) -> Unit | None:
        return self._pick("unit")


class NameDecisionForm(ActorForm):
    """One decision for every occurrence of a name: a candidate, another unit, or drop."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=200)
    choice = forms.CharField(label=_("Decision"), required=False, max_length=24)
    unit = _unit_field(_("Another unit"), required=False)
    alias = forms.BooleanField(
        label=_("Keep this name as an alias of the unit, for the next import"), required=False
    )

    def clean_unit(self) -> Unit | None:
        return self._pick("unit")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = (data.get("choice") or "").strip()
        if data.get("unit") is not None:
            data["unit_id"] = data["unit"].pk
        elif choice == DROP:
            data["unit_id"] = None
        elif choice.isdigit() and len(choice) <= 18:
            data["unit_id"] = int(choice)
        elif "unit" not in self.errors:
            self.add_error("choice", _("Pick a unit or drop the name."))
        if data.get("alias") and data.get("unit_id", 0) is None:
            self.add_error("alias", _("A dropped name cannot become an alias."))
        return data


class DefaultSupervisorForm(ActorForm):
    """The unit that supervises every task given none (the rectification office, 整改办)."""

    unit = _unit_field(_("Supervising unit for every task without one"))

    def clean_unit(self) -> Unit | None:
        return self._pick("unit")


class ReviewQuery(forms.Form):
    """The review page's query: which page, and whether only tasks needing attention."""

    page = forms.IntegerField(min_value=1, max_value=10**6, required=False)
    attention = forms.BooleanField(required=False)


class UnitQuery(forms.Form):
    q = forms.CharField(max_length=100, required=False)
    format = forms.CharField(max_length=8, required=False)
