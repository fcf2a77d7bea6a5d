"""Routes of the office's plan review (方案审核): a task's units and persons, names decided
for all their occurrences, the default supervising unit, the unit search."""

from __future__ import annotations

from django.urls import path

from closeout.web import review

P = "plans/<int:plan_id>/review/"
urlpatterns = [
    path(f"{P}units/", review.unit_search, name="plan_review_units"),
    path(f"{P}names/", review.name_decide, name="plan_name_decide"),
    path(f"{P}supervisor/", review.default_supervisor, name="plan_default_supervisor"),
    path(f"{P}tasks/<int:task_id>/units/", review.unit_add, name="plan_task_unit_add"),
    path(
        f"{P}assignments/<int:assignment_id>/",
        review.unit_change,
        name="plan_task_unit_change",
    ),
    path(
        f"{P}assignments/<int:assignment_id>/remove/",
        review.unit_remove,
        name="plan_task_unit_remove",
    ),
    path(f"{P}tasks/<int:task_id>/persons/", review.person_add, name="plan_task_person_add"),
    path(f"{P}persons/<int:person_id>/", review.person_change, name="plan_task_person_change"),
    path(
        f"{P}persons/<int:person_id>/remove/",
        review.person_remove,
        name="plan_task_person_remove",
    ),
]
