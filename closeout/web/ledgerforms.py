"""Forms of the ledger table's saved views (常用筛选)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from closeout.ledger.selectors.ledger import COLUMNS


class SaveViewForm(forms.Form):
    """Save the page's filter (its query string) and columns under a name; the service
    checks the name is free and the columns are known, naming the field."""

    name = forms.CharField(label=_("Name"), max_length=60)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    columns = forms.MultipleChoiceField(
        label=_("Columns"), choices=[(key, key) for key in COLUMNS], required=False
    )
