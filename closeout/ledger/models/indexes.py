"""Index helpers shared by the models."""

from __future__ import annotations

from django.db import models


def where_set(field: str, name: str) -> models.Index:
    """An index of `field` over the rows where it has a value: for a column the sweep
    leaves empty when it writes rows in sets (who checked, issued or responded), so those
    rows cost no index entry."""
    return models.Index(
        fields=[field], name=name, condition=models.Q(**{f"{field}__isnull": False})
    )
