"""`{% xlsx_export_form %}`: the ledger table's download button (Excel) with its current
filters and a small form to pick optional columns and a sheet per unit."""

from __future__ import annotations

from typing import Any

from django import template

from closeout.web.exports import ExportForm, filter_query

register = template.Library()


@register.inclusion_tag("web/exports/_xlsx_button.html", takes_context=True)
def xlsx_export_form(context: Any) -> dict[str, Any]:
    request = context["request"]
    return {"hidden": filter_query(dict(request.GET.lists())), "form": ExportForm()}
