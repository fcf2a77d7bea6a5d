"""Routes: Escalation letters (督办函, 提醒函, 通报, 挂牌督办通知) as Word documents."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
