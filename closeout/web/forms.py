"""The pages' forms: they parse what a person typed; the rules stay in the ledger.

Each form knows how to turn its cleaned data into the arguments of one selector or
service call, and how to take a `DomainError` back next to the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from closeout.ledger import clock, selectors
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.models import AssignmentRole, Category, Inspection, Plan, Task, Unit
from closeout.ledger.rules import limits
from closeout.ledger.rules.escalation import Level
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status, TransitionRule
from closeout.ledger.selectors import SORTABLE, TaskFilter
from closeout.ledger.selectors.ledger import COLUMNS, DEFAULT_COLUMNS
from closeout.ledger.services import Upload, acceptance_criteria


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error next to the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by their depth in the tree, so the select reads like the tree."""

    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return "\u3000" * obj.depth + obj.name


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates only: the value must
    not follow the page language's date format (2025/06/16 in Chinese)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


YES_NO_ANY = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


def _yes_no(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, choices=YES_NO_ANY, coerce=lambda v: v == "1",
        empty_value=None,
    )  # fmt: skip


class TaskFilterForm(forms.Form):
    """The task list's filter bar (GET). Unit and plan choices are limited to the actor's.

    Its query parameters, which other pages link to (the office overview's numbers):

    - `q`: words that the task, its target or its problem's title all contain;
    - `unit=<id>`: the unit or any unit below it takes part (any part, or `role`'s);
      `role=lead|coop|supervising|coop_supervising` narrows `unit` to one part;
    - `district=<id>`: also within this unit's subtree, in any part (a district/county);
    - `status=<status>`: the life-cycle state (draft, in_progress, requested, notice …);
    - `bucket=<bucket>` (repeatable, any of): the schedule status (序时进度) — done,
      sustained, on_schedule, behind, overdue;
    - `missing=1|0`: with (without) reports missing (漏报, a run of missed reports);
    - `escalated=1|0`: with (without) an escalation measure standing (not lifted);
    - `notice=1|0`: under (not under) public notice (公示);
    - `rebounded=1|0`: rebounded at a look-back (反弹) at least once (never);
    - `category=<category>`, `plan=<id>`, `inspection=<id>`, `problem=<id>`;
    - `due_from`, `due_to` (YYYY-MM-DD): the due date's range;
    - `sort`: one of `selectors.SORTABLE`; `page`: the page number;
    - `col` (repeatable, in order): the columns shown (`selectors.ledger.COLUMNS`).

    A value that is not valid is reported next to its field and left out of the filter.
    """

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = UnitChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    role = forms.ChoiceField(label=_("Part"), required=False)
    district = UnitChoiceField(
        label=_("District"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All districts"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    bucket = forms.MultipleChoiceField(
        label=_("Schedule status"),
        required=False,
        choices=Bucket.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    missing = _yes_no(_("Reports missing"))
    escalated = _yes_no(_("Measure standing"))
    notice = _yes_no(_("Under public notice"))
    rebounded = _yes_no(_("Rebounded"))
    category = forms.ChoiceField(label=_("Category"), required=False)
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.none(), required=False, empty_label=_("All plans")
    )
    inspection = forms.ModelChoiceField(
        label=_("Inspection"),
        queryset=Inspection.objects.none(),
        required=False,
        empty_label=_("All inspections"),
    )
    problem = forms.IntegerField(
        label=_("Problem"), required=False, min_value=1, max_value=2**63 - 1,
        widget=forms.HiddenInput,
    )  # fmt: skip
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DateInput)
    due_to = forms.DateField(label=_("Due until"), required=False, widget=DateInput)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(key, key) for key in SORTABLE],
        widget=forms.HiddenInput,
    )
    col = forms.MultipleChoiceField(
        label=_("Columns"), required=False, choices=[(key, key) for key in COLUMNS]
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = selectors.pickable_units(actor)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["district"].queryset = units  # type: ignore[attr-defined]
        # Plans keep their whole source text; the select needs only the titles.
        plans = selectors.plans_for(actor).only("id", "title")
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        inspections = selectors.inspections_for(actor).only("id", "name")
        self.fields["inspection"].queryset = inspections  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", _("Any part")), *AssignmentRole.choices]  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Any status")), *Status.choices]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("Any category")), *Category.choices]  # type: ignore[attr-defined]

    def to_filter(self) -> TaskFilter:
        """The filter for `selectors.task_list`, from whatever fields were valid."""
        data = self.cleaned_data if self.is_bound else {}
        unit, district = data.get("unit"), data.get("district")
        plan, inspection = data.get("plan"), data.get("inspection")
        return TaskFilter(
            q=data.get("q") or "",
            unit=unit.pk if unit else None,
            unit_role=data.get("role") or None,
            district=district.pk if district else None,
            status=(data["status"],) if data.get("status") else (),
            bucket=tuple(data.get("bucket") or ()),
            missing=data.get("missing"),
            escalated=data.get("escalated"),
            notice=data.get("notice"),
            rebounded=data.get("rebounded"),
            category=data.get("category") or None,
            plan=plan.pk if plan else None,
            inspection=inspection.pk if inspection else None,
            problem=data.get("problem"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            sort=data.get("sort") or "due_date",
        )

    MORE = ("role", "district", "inspection", "missing", "escalated", "notice", "rebounded")

    @property
    def more_filters_used(self) -> bool:
        """Whether a filter behind "More filters" is set or wrong (the box opens)."""
        return self.is_bound and any(self.data.get(n) or n in self.errors for n in self.MORE)

    def columns(self) -> list[str]:
        """The columns asked for (`col`, in order), or the default ones."""
        data = self.cleaned_data if self.is_bound else {}
        return list(dict.fromkeys(data.get("col") or ())) or list(DEFAULT_COLUMNS)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    """A progress report (进展报送): text, percent or milestone reached, evidence files,
    and the reason when the progress falls below the task's (the service asks for it)."""

    text = forms.CharField(
        label=_("Progress"),
        max_length=limits.REPORT_TEXT.chars,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    percent = forms.IntegerField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100
    )
    reason = forms.CharField(
        label=_("Why the progress fell"),
        required=False,
        max_length=limits.FALL_REASON.chars,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the progress is lower than the task's last reported progress."),
    )
    milestone = forms.TypedChoiceField(
        label=_("Milestone reached"), required=False, coerce=int, empty_value=None
    )
    # Named like the service argument so that its errors (field="files") land here; the
    # form metaclass removes declared fields from the class, so BaseForm.files is intact.
    files = MultipleFileField(label=_("Evidence files"), required=False)  # type: ignore[assignment]
    period = forms.DateField(
        label=_("Report for the period of"),
        required=False,
        widget=DateInput,
        help_text=_("A day in the reporting period this report is for; empty for the current one."),
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        milestones = [(m.pk, m.title) for m in task.milestones.all()]
        if milestones:
            self.fields["milestone"].choices = [("", "—"), *milestones]  # type: ignore[attr-defined]
        else:
            del self.fields["milestone"]

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for `services.report_create`."""
        data = self.cleaned_data
        return {
            "text": data["text"],
            "percent": data.get("percent"),
            "milestone_id": data.get("milestone"),
            "files": _uploads(data["files"]),
            "period": data.get("period"),
            "reason": data.get("reason") or "",
        }


def _uploads(files: list[UploadedFile]) -> list[Upload]:
    # Handed over open (spooled to disk when large): the service reads them in chunks.
    return [Upload(name=f.name or "", content=f) for f in files]


class TransitionForm(forms.Form):
    """One life-cycle step (销号流程), with a note that is required where the rule says so.

    Steps that record more than a note (see `services.closeouts.check`) have their own
    subclasses below; `transition_form` picks the right one. Field names follow the
    service's, so that its errors land next to the field they name.
    """

    note = forms.CharField(
        label=_("Note"), required=False, max_length=limits.STEP_NOTE.chars, widget=forms.TextInput()
    )
    multipart = False  # the form uploads files

    def __init__(self, *args: Any, rule: TransitionRule, task: Task, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", rule.name)
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule.needs_reason:
            self.fields["note"].required = True
            self.fields["note"].label = _("Reason")

    def step_data(self) -> dict[str, Any]:
        return {}

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments of `services.task_transition` besides the actor, task and name."""
        return {"note": self.cleaned_data["note"], "data": self.step_data(), "files": []}


class CloseoutRequestForm(TransitionForm):
    """申请销号: a self-assessment against each acceptance criterion, and evidence files."""

    files = MultipleFileField(label=_("Evidence files"), required=False)  # type: ignore[assignment]
    multipart = True

    def __init__(self, *args: Any, rule: TransitionRule, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, rule=rule, task=task, **kwargs)
        self.fields["note"].label = _("Remarks")
        self.criteria = acceptance_criteria(task)
        for i, criterion in enumerate(self.criteria):
            self.fields[f"assessment_{i}"] = forms.CharField(
                label=criterion,
                max_length=limits.ASSESSMENT.chars,
                widget=forms.Textarea(attrs={"rows": 2, "data-criterion": criterion}),
            )
        # The files go last, after the assessment they back.
        self.order_fields([*(f"assessment_{i}" for i in range(len(self.criteria))), "files"])

    @property
    def assessment_fields(self) -> list[forms.BoundField]:
        return [self[f"assessment_{i}"] for i in range(len(self.criteria))]

    def step_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"assessment": {c: data[f"assessment_{i}"] for i, c in enumerate(self.criteria)}}

    def service_kwargs(self) -> dict[str, Any]:
        return {**super().service_kwargs(), "files": _uploads(self.cleaned_data["files"])}


class VerifyForm(TransitionForm):
    """核查: when the on-site check was made, who made it, what it found."""

    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput)
    inspectors = forms.CharField(label=_("Inspectors"), max_length=limits.INSPECTORS.chars)
    # Photos of the check, kept with the step (named like the service's argument).
    files = MultipleFileField(label=_("Photos of the check"), required=False)  # type: ignore[assignment]
    multipart = True

    def __init__(self, *args: Any, rule: TransitionRule, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, rule=rule, task=task, **kwargs)
        self.fields["checked_on"].initial = clock.today
        note = self.fields["note"]
        note.required = True
        note.label = _("Findings")
        note.widget = forms.Textarea(attrs={"rows": 3, "maxlength": str(limits.STEP_NOTE.chars)})
        self.order_fields(["checked_on", "inspectors", "note", "files"])

    def step_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"checked_on": data["checked_on"], "inspectors": data["inspectors"]}

    def service_kwargs(self) -> dict[str, Any]:
        return {**super().service_kwargs(), "files": _uploads(self.cleaned_data["files"])}


class FilingForm(TransitionForm):
    """备案: optionally the number of the filing document."""

    number = forms.CharField(
        label=_("Filing number"), required=False, max_length=limits.FILING_NUMBER.chars
    )

    def __init__(self, *args: Any, rule: TransitionRule, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, rule=rule, task=task, **kwargs)
        self.order_fields(["number", "note"])

    def step_data(self) -> dict[str, Any]:
        return {"number": self.cleaned_data["number"]}


STEP_FORMS: dict[str, type[TransitionForm]] = {
    "request_closeout": CloseoutRequestForm,
    "verify": VerifyForm,
    "file": FilingForm,
}


def transition_form(rule: TransitionRule, task: Task, *args: Any) -> TransitionForm:
    """The form of one step, bound to `*args` (data, files) when given."""
    return STEP_FORMS.get(rule.name, TransitionForm)(*args, rule=rule, task=task)


# --- the closed loop around a task: objections, look-backs, escalation measures --------


class ObjectionForm(forms.Form):
    """An objection (异议) to a close-out on public notice, by the public."""

    text = forms.CharField(
        label=_("Objection"),
        max_length=limits.OBJECTION_TEXT.chars,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    name = forms.CharField(
        label=_("Your name (optional)"), required=False, max_length=limits.OBJECTOR_NAME.chars
    )
    contact = forms.CharField(
        label=_("Contact (optional)"), required=False, max_length=limits.OBJECTOR_CONTACT.chars
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=limits.ANSWER.chars, widget=forms.Textarea(attrs={"rows": 2})
    )


class SpamForm(forms.Form):
    """Why the office takes an objection for spam (advertising, abuse, a flood)."""

    reason = forms.CharField(label=_("Why it is spam"), max_length=limits.SPAM_REASON.chars)


class LookbackForm(forms.Form):
    """What a look-back check (回头看) found: stable, or a rebound (反弹) that reopens."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("stable", _("Stable")), ("rebound", _("Rebound: reopen the task"))],
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(
        label=_("Findings"),
        max_length=limits.LOOKBACK_FINDINGS.chars,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    checked_on = forms.DateField(label=_("Checked on"), required=False, widget=DateInput)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "rebound": data["outcome"] == "rebound",
            "findings": data["findings"],
            "checked_on": data.get("checked_on"),
        }


class EscalationForm(forms.Form):
    """A measure issued by hand (督办, 区域限批, 移交问责 …)."""

    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=limits.MEASURE_REASON.chars,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cause = forms.CharField(
        label=_("Cause key"),
        max_length=limits.MEASURE_CAUSE.chars,
        help_text=_(
            "What the measure answers, e.g. the number of the document; "
            "the same level is never issued twice for one cause."
        ),
    )
    response_days = forms.IntegerField(
        label=_("Working days to respond"), min_value=0, max_value=90, initial=10
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "level": data["level"],
            "reason": data["reason"],
            "cause_key": data["cause"],
            "response_days": data["response_days"],
        }


class ResponseForm(forms.Form):
    """The responsible unit's response to a measure (整改说明)."""

    response = forms.CharField(
        label=_("Response"),
        max_length=limits.RESPONSE.chars,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Why lifted"), max_length=limits.LIFT_REASON.chars)
