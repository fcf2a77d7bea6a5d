from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from closeout.api.urls import api

admin.site.site_header = admin.site.site_title = "closeout"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("closeout.web.urls")),
]
