"""The forms of the office's settings pages. They parse what the office typed; the
rules (what a valid escalation rule, setting or login is) stay in the ledger's services,
whose errors come back next to the field they name (`add_domain_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.models import Role, Unit, UnitKind, UnitLevel
from closeout.ledger.models.plans import ReportCycle
from closeout.ledger.rules.escalation import MANUAL_LEVELS, Level, Trigger
from closeout.ledger.selectors import office as office_selectors
from closeout.ledger.services.settings import months_text, parse_months
from closeout.web.forms import DateInput, add_domain_error

ROLE_CHOICES = [(r.value, r.label) for r in Role if r != Role.PUBLIC]
RULE_LEVELS = [(lv.value, lv.label) for lv in Level if lv not in MANUAL_LEVELS]
RULE_TRIGGERS = [(t.value, t.label) for t in Trigger if t != Trigger.MANUAL]


class UnitReferenceField(forms.CharField):
    """A unit typed by its registry number (#23) or one of its names: a select with tens
    of thousands of units is unusable, by keyboard and by screen reader alike."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "help_text",
            _("The unit's name, a former or short name, or its number in the registry (#23)."),
        )
        super().__init__(**kwargs)


def _resolve_unit(actor: Actor, text: str) -> Unit | None:
    """The one unit `text` names, or a ValidationError saying what is wrong."""
    if not text.strip():
        return None
    try:
        matches = office_selectors.unit_by_reference(actor, text)
    except DomainError as error:
        raise forms.ValidationError(error.message) from None
    if not matches:
        raise forms.ValidationError(_("no unit is called “%(name)s”") % {"name": text.strip()})
    if len(matches) > 1:
        names = "; ".join(
            f"#{u.pk} {u.parent.name + ' / ' if u.parent else ''}{u.name}" for u in matches
        )
        raise forms.ValidationError(
            _("“%(name)s” names several units (%(names)s): type the number of the one you mean")
            % {"name": text.strip(), "names": names}
        )
    return matches[0]


def unit_reference(unit: Unit | None) -> str:
    """How a unit is written back into a unit field: "#23 市生态环境局"."""
    return f"#{unit.pk} {unit.name}" if unit is not None else ""


class OfficeForm(forms.Form):
    """A form of these pages: it knows its actor (to resolve units) and takes a
    service's error back next to its field."""

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)

    def domain_error(self, error: DomainError) -> None:
        add_domain_error(self, error)

    def _unit(self, name: str) -> Unit | None:
        text = self.cleaned_data.get(name) or ""
        return _resolve_unit(self.actor, text.split(" ", 1)[0] if text.startswith("#") else text)


# ---------------------------------------------------------------------------- the closed loop


class EscalationRuleForm(OfficeForm):
    level = forms.ChoiceField(label=_("Measure issued"), choices=RULE_LEVELS)
    trigger = forms.ChoiceField(label=_("When"), choices=RULE_TRIGGERS)
    threshold = forms.IntegerField(
        label=_("Threshold (N)"),
        min_value=0,
        max_value=3650,
        help_text=_(
            "Days for “due within” and “overdue” (0: from the first day overdue); "
            "a count for missed reports and rebounds."
        ),
    )
    response_days = forms.IntegerField(
        label=_("Working days to respond"), min_value=1, max_value=250, initial=10
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def service_kwargs(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in ("level", "trigger", "threshold", "response_days", "active")
        }


class LoopSettingsForm(OfficeForm):
    notice_working_days = forms.IntegerField(
        label=_("Public notice (working days)"), min_value=1, max_value=60
    )
    lookback_months = forms.CharField(
        label=_("Look-back checks (months after closing)"),
        max_length=100,
        required=False,
        help_text=_("Months separated by commas, for example “3, 12”; empty: no look-backs."),
    )
    report_grace_days = forms.IntegerField(
        label=_("Days of grace for progress reports"), min_value=0, max_value=60
    )
    issuing_body = forms.CharField(label=_("Issuing body of escalation measures"), max_length=200)
    letter_prefix = forms.CharField(
        label=_("Prefix of escalation letter numbers"),
        max_length=40,
        required=False,
        help_text=_("For example “督办”, giving 督办〔2026〕3号; empty: unchanged."),
    )
    circular_prefix = forms.CharField(
        label=_("Prefix of circular numbers"), max_length=40, required=False
    )
    digest_cycle = forms.ChoiceField(label=_("E-mail digest cycle"), choices=ReportCycle.choices)
    digest_cycle_days = forms.IntegerField(
        label=_("Digest cycle length in days (custom cycle)"),
        min_value=1,
        max_value=366,
        required=False,
    )
    backfill_days = forms.IntegerField(
        label=_("Days a sweep looks back at most for missing reports"), min_value=0, max_value=366
    )

    @classmethod
    def initial_from(cls, settings: Any) -> dict[str, Any]:
        return {
            "notice_working_days": settings.notice_working_days,
            "lookback_months": months_text(settings.lookback_months),
            "report_grace_days": settings.report_grace_days,
            "issuing_body": settings.issuing_body,
            "letter_prefix": settings.letter_prefix,
            "circular_prefix": settings.circular_prefix,
            "digest_cycle": settings.digest_cycle,
            "digest_cycle_days": settings.digest_cycle_days,
            "backfill_days": settings.backfill_days,
        }

    def clean_lookback_months(self) -> list[int]:
        try:
            return parse_months(self.cleaned_data.get("lookback_months") or "")
        except DomainError as error:
            raise forms.ValidationError(error.message) from None

    def service_kwargs(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        for name in ("letter_prefix", "circular_prefix"):
            if not values.get(name):
                values.pop(name, None)  # a form without the field keeps the prefix
        return values


class CalendarDayForm(OfficeForm):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    working = forms.TypedChoiceField(
        label=_("The day is"),
        choices=[
            ("0", _("a public holiday (no work)")),
            ("1", _("a make-up working day (调休上班)")),
        ],
        coerce=lambda v: v == "1",
        initial="0",
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# ---------------------------------------------------------------------------- logins


class AccountFilterForm(OfficeForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *ROLE_CHOICES]
    )
    unit = UnitReferenceField(label=_("Unit (and the units below it)"), required=False)
    active = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Active and inactive")), ("1", _("Active")), ("0", _("Deactivated"))],
    )

    def clean_unit(self) -> Unit | None:
        return self._unit("unit")

    def to_filter(self) -> office_selectors.AccountFilter:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        unit = data.get("unit")
        active = data.get("active")
        return office_selectors.AccountFilter(
            q=data.get("q") or "",
            role=data.get("role") or "",
            unit_id=unit.pk if unit else None,
            active=None if not active else active == "1",
        )


class _AccountFields(OfficeForm):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    unit = UnitReferenceField(
        label=_("Unit"),
        required=False,
    )
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)

    def clean_unit(self) -> Unit | None:
        return self._unit("unit")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("role") in (Role.UNIT, Role.SUPERVISOR)
            and not data.get("unit")
            and "unit" not in self.errors
        ):
            self.add_error("unit", _("unit users and supervisors must belong to a unit"))
        return data


class AccountCreateForm(_AccountFields):
    username = forms.CharField(label=_("User name (for signing in)"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the person; they sign in with it."),
    )
    field_order = ["username", "display_name", "role", "unit", "password"]

    def service_kwargs(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in ("username", "password", "role", "unit", "display_name")
        }


class AccountUpdateForm(_AccountFields):
    def service_kwargs(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("role", "unit", "display_name")}


class PasswordForm(OfficeForm):
    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the person; their open sessions end."),
    )


# ---------------------------------------------------------------------------- units


class UnitSearchForm(OfficeForm):
    q = forms.CharField(label=_("Search the registry"), required=False, max_length=100)


class UnitCreateForm(OfficeForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    parent = UnitReferenceField(label=_("Parent unit"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=UnitLevel.choices)
    code = forms.CharField(label=_("Code"), max_length=32, required=False)

    def clean_parent(self) -> Unit | None:
        return self._unit("parent")

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class UnitRenameForm(OfficeForm):
    name = forms.CharField(label=_("New name"), max_length=120)
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    keep_former = forms.BooleanField(
        label=_("Keep the old name as a former name"), required=False, initial=True
    )

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class AliasForm(OfficeForm):
    name = forms.CharField(label=_("Other name"), max_length=120)
    former = forms.BooleanField(label=_("A former name"), required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
