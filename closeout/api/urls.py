from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="closeout API", version="1")
