from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from closeout.api.urls import api
from closeout.web import views

admin.site.site_header = _("closeout rectification ledger")
admin.site.site_title = admin.site.index_title = _("closeout administration")

urlpatterns = [
    # One login for everybody, and a 403 for the signed-in whose role the admin refuses.
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("closeout.web.urls")),
]
