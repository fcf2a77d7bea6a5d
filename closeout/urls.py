from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from closeout.api.urls import api

admin.site.site_header = _("closeout rectification ledger")
admin.site.site_title = admin.site.index_title = _("closeout administration")

urlpatterns = [
    # One login for everybody: the admin's own form would also demand Django's staff flag,
    # while who may use the admin is decided by the role (closeout.ledger.access).
    path("admin/login/", RedirectView.as_view(url=reverse_lazy("web:login"), query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("closeout.web.urls")),
]
