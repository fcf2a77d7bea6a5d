"""The pages' forms: they parse what a person typed; the rules stay in the ledger.

Each form knows how to turn its cleaned data into the arguments of one selector or
service call, and how to take a `DomainError` back next to the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from closeout.ledger import selectors
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.models import Category, Plan, Task, Unit
from closeout.ledger.selectors import SORTABLE, TaskFilter
from closeout.ledger.services import Upload
from closeout.ledger.workflow import Status, TransitionRule


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error next to the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by their depth in the tree, so the select reads like the tree."""

    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return "\u3000" * obj.depth + obj.name


class DateInput(forms.DateInput):
    input_type = "date"


class TaskFilterForm(forms.Form):
    """The task list's filter bar (GET). Unit and plan choices are limited to the actor's."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = UnitChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.none(), required=False, empty_label=_("All plans")
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DateInput)
    due_to = forms.DateField(label=_("Due until"), required=False, widget=DateInput)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(key, key) for key in SORTABLE],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.pickable_units(actor)  # type: ignore[attr-defined]
        # Plans keep their whole source text; the select needs only the titles.
        plans = selectors.plans_for(actor).only("id", "title")
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Any status")), *Status.choices]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("Any category")), *Category.choices]  # type: ignore[attr-defined]

    def to_filter(self) -> TaskFilter:
        """The filter for `selectors.task_list`, from whatever fields were valid."""
        data = self.cleaned_data if self.is_bound else {}
        unit = data.get("unit")
        plan = data.get("plan")
        return TaskFilter(
            q=data.get("q") or "",
            unit=unit.pk if unit else None,
            status=(data["status"],) if data.get("status") else (),
            category=data.get("category") or None,
            plan=plan.pk if plan else None,
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            sort=data.get("sort") or "due_date",
        )


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
    """A progress report (进展报送): text, percent or milestone reached, evidence files."""

    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))
    percent = forms.IntegerField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100
    )
    milestone = forms.TypedChoiceField(
        label=_("Milestone reached"), required=False, coerce=int, empty_value=None
    )
    # Named like the service argument so that its errors (field="files") land here; the
    # form metaclass removes declared fields from the class, so BaseForm.files is intact.
    files = MultipleFileField(label=_("Evidence files"), required=False)  # type: ignore[assignment]

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        milestones = [(m.pk, m.title) for m in task.milestones.all()]
        if milestones:
            self.fields["milestone"].choices = [("", "—"), *milestones]  # type: ignore[attr-defined]
        else:
            del self.fields["milestone"]

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for `services.report_create`; the files are read into memory here
        because the service keeps evidence by content hash."""
        data = self.cleaned_data
        return {
            "text": data["text"],
            "percent": data.get("percent"),
            "milestone_id": data.get("milestone"),
            "files": [Upload(name=f.name or "", content=f.read()) for f in data["files"]],
        }


class TransitionForm(forms.Form):
    """One life-cycle step (销号流程), with a note that is required where the rule says so."""

    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.TextInput()
    )

    def __init__(self, *args: Any, rule: TransitionRule, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", rule.name)
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule.needs_reason:
            self.fields["note"].required = True
            self.fields["note"].label = _("Reason")
