from __future__ import annotations

from django.urls import include, path

from closeout.web import imports, loopviews, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/report/", views.task_report, name="task_report"),
    path(
        "tasks/<int:task_id>/transition/<str:name>/", views.task_transition, name="task_transition"
    ),
    path("tasks/<int:task_id>/objections/", loopviews.objection_lodge, name="objection_lodge"),
    path(
        "tasks/<int:task_id>/objections/<int:objection_id>/spam/",
        loopviews.objection_spam,
        name="objection_spam",
    ),
    path(
        "tasks/<int:task_id>/objections/<int:objection_id>/answer/",
        views.objection_answer,
        name="objection_answer",
    ),
    path(
        "tasks/<int:task_id>/lookbacks/<int:check_id>/",
        views.lookback_record,
        name="lookback_record",
    ),
    path("tasks/<int:task_id>/escalations/", views.escalation_issue, name="escalation_issue"),
    path(
        "tasks/<int:task_id>/escalations/<int:escalation_id>/respond/",
        views.escalation_respond,
        name="escalation_respond",
    ),
    path(
        "tasks/<int:task_id>/escalations/<int:escalation_id>/lift/",
        views.escalation_lift,
        name="escalation_lift",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("plans/", imports.plan_list, name="plan_list"),
    path("plans/import/", imports.plan_upload, name="plan_upload"),
    path("plans/<int:plan_id>/review/", imports.plan_review, name="plan_review"),
    path("plans/<int:plan_id>/confirm/", imports.plan_confirm, name="plan_confirm"),
    path("plans/<int:plan_id>/publish/", imports.plan_publish, name="plan_publish"),
    path("plans/<int:plan_id>/tasks/<int:task_id>/", imports.task_fields, name="plan_task_fields"),
    path(
        "plans/<int:plan_id>/proposals/<int:proposal_id>/",
        imports.proposal_decide,
        name="plan_proposal_decide",
    ),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    # Each area's pages have their routes in a module of their own.
    path("", include("closeout.web.routes.public")),
    path("", include("closeout.web.routes.office")),
    path("", include("closeout.web.routes.workspace")),
    path("", include("closeout.web.routes.board")),
    path("", include("closeout.web.routes.overview")),
    path("", include("closeout.web.routes.ledger")),
    path("", include("closeout.web.routes.review")),
    path("", include("closeout.web.routes.exports")),
    path("", include("closeout.web.routes.ledgerimport")),
    path("", include("closeout.web.routes.letters")),
    path("", include("closeout.web.routes.circulars")),
    path("", include("closeout.web.routes.publicdocs")),
]
