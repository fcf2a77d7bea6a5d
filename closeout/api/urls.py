"""The JSON API, assembled: authentication, error mapping and the routers.

Mounted at /api/ by closeout/urls.py. The OpenAPI 3 schema is at /api/openapi.json and
the interactive docs at /api/docs; both are open to everyone, every other endpoint needs
a session login or a bearer token. The docs page loads Swagger UI from the copy that
django-ninja ships (ninja/static/ninja/), served by whitenoise, never from a CDN.
"""

from __future__ import annotations

from csp.decorators import csp_update
from ninja import Swagger

from closeout.api import account, errors, evidence, loop, tasks, units
from closeout.api.auth import API_AUTH
from closeout.api.params import ApiParser

api = errors.ShapedApi(
    title="closeout API",
    version="1",
    description=(
        "Closed-loop management of environmental-inspection rectification "
        "(督察整改闭环管理). Authenticate with a session login (send the CSRF token on "
        "unsafe methods) or with `Authorization: Bearer <key>`; create a key with "
        'POST /api/tokens. Errors have the shape {"detail": …, "field": …}.'
    ),
    auth=API_AUTH,
    docs=Swagger(),
    # Swagger UI draws its icons as data: images; the rest of the site's policy holds.
    docs_decorator=csp_update({"img-src": ["data:"]}),
    parser=ApiParser(),
)
errors.install(api)
api.add_router("/tasks", tasks.router)
api.add_router("/", units.router)
api.add_router("/", account.router)
api.add_router("/", evidence.router)
api.add_router("/", loop.router)
