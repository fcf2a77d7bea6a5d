"""Where each role starts and what its header offers: the one place that says which
pages a role works in (the pages themselves check permissions in closeout.ledger.access).

- office (整改办): the overview (总览) first, then the ledger, the board, plans, settings;
- leader (领导): the board (挂图作战) first, the overview, the ledger;
- responsible unit (责任单位): its workspace ("what I owe this period"), its tasks;
- supervising unit (督导单位): its queue (close-outs to review, checks to make), its tasks;
- anyone else: the public portal (信息公开).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from closeout.ledger.access import Actor
from closeout.ledger.models import Role


@dataclass(frozen=True)
class NavItem:
    name: str  # the URL name
    label: str | Promise
    testid: str


OVERVIEW = NavItem("web:overview", _("Overview"), "nav-overview")
BOARD = NavItem("web:board", _("Board"), "nav-board")
TASKS = NavItem("web:task_list", _("Tasks"), "nav-tasks")
WORKSPACE = NavItem("web:workspace", _("What I owe"), "nav-workspace")
QUEUE = NavItem("web:queue", _("My queue"), "nav-queue")
PLANS = NavItem("web:plan_list", _("Plans"), "nav-plans")
IMPORT = NavItem("web:plan_upload", _("Import a plan"), "nav-import")
SETTINGS = NavItem("web:office_home", _("Settings"), "nav-settings")
PUBLIC = NavItem("web:public_index", _("Public portal"), "nav-public")

NAV: dict[str, tuple[NavItem, ...]] = {
    Role.OFFICE: (OVERVIEW, TASKS, BOARD, PLANS, IMPORT, SETTINGS),
    Role.LEADER: (BOARD, OVERVIEW, TASKS),
    Role.UNIT: (WORKSPACE, TASKS),
    Role.SUPERVISOR: (QUEUE, TASKS),
}


def first_screen(actor: Actor) -> str:
    """The URL name of the page a signed-in person starts on."""
    items = NAV.get(actor.role)
    return items[0].name if items else PUBLIC.name


def navigation(request: HttpRequest) -> dict[str, object]:
    """`nav`: the header's links for the person signed in, with the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    path = request.path
    items = NAV.get(Actor.of(user).role, ())
    links = []
    for item in items:
        url = reverse(item.name)
        links.append(
            {"url": url, "label": item.label, "testid": item.testid, "current": path == url}
        )
    return {"nav": links}
