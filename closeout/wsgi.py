"""WSGI entry point for production servers (closeout serve uses it through waitress)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "closeout.settings")
application = get_wsgi_application()
