"""The forms of the ledger workbook import (台账导入): the upload, and the apply button that
names the kept file by its SHA-256 and the preview by its digest."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

_HEX64 = RegexValidator(r"^[0-9a-f]{64}$", _("not a file of this import"))


class LedgerUploadForm(forms.Form):
    file = forms.FileField(label=_("Ledger workbook (.xlsx)"))


class LedgerApplyForm(forms.Form):
    sha256 = forms.CharField(widget=forms.HiddenInput, validators=[_HEX64])
    digest = forms.CharField(widget=forms.HiddenInput, validators=[_HEX64])
    name = forms.CharField(widget=forms.HiddenInput, max_length=255)
