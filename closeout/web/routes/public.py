"""Routes of the public portal (信息公开), open to anyone."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import public

urlpatterns: list[URLPattern] = [
    path("public/", public.public_index, name="public_index"),
    path("public/plans/<int:plan_id>/", public.public_plan, name="public_plan"),
    path("public/problems/<int:problem_id>/", public.public_problem, name="public_problem"),
    path("public/notice/", public.public_notice, name="public_notice"),
    path("public/closed/", public.public_closed, name="public_closed"),
    path("public/lookbacks/", public.public_lookbacks, name="public_lookbacks"),
    path("public/tasks/<int:task_id>/", public.public_task, name="public_task"),
    path("public/language/<str:code>/", public.public_language, name="public_language"),
]
