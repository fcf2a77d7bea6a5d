"""The office's settings pages (整改办的设置), everything the office needs without the
Django admin: escalation rules (督办规则), the closed-loop settings (闭环参数) with the
holiday arrangement (节假日安排), logins (office_users) and the unit registry
(office_units).

Only the office (and superusers) may use them (`access.can_manage_settings`): anyone
else signed in gets a 403, a visitor the login page. Each view parses its input with a
form and calls one selector or service; a service's error comes back next to its field,
with a summary above the form.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, NotFound, NotPermitted
from closeout.ledger.selectors import office as selectors
from closeout.ledger.services import settings as services
from closeout.web.officeforms import (
    CalendarDayForm,
    EscalationRuleForm,
    LoopSettingsForm,
    OfficeForm,
)

View = Callable[..., HttpResponse]


def office_page(view: View) -> View:
    """Signed in, and the office (or a superuser): otherwise the login page or a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = Actor.of(request.user)
        if not access.can_manage_settings(actor):
            raise PermissionDenied(_("These settings are the rectification office's."))
        try:
            return view(request, actor, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except NotPermitted as error:
            raise PermissionDenied(error.message) from None

    return wrapped


def page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


def submit(
    request: HttpRequest,
    form: OfficeForm,
    call: Callable[[], object],
    *,
    done: Any,
    to: str,
    args: tuple[Any, ...] = (),
) -> HttpResponse | None:
    """Run one service with a valid form: on success a message and a redirect (Post/
    Redirect/Get); otherwise None, the form keeping the error next to its field."""
    if not form.is_valid():
        return None
    try:
        call()
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        if isinstance(error, NotPermitted):
            raise PermissionDenied(error.message) from None
        form.domain_error(error)
        return None
    messages.success(request, done)
    return redirect(to, *args)


def render_form(
    request: HttpRequest, template: str, context: dict[str, Any], *forms: OfficeForm
) -> HttpResponse:
    """The page; 400 when one of its bound forms failed, so that tests and tools see it."""
    failed = any(f.is_bound and f.errors for f in forms)
    return render(request, template, context, status=400 if failed else 200)


@office_page
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "web/office/home.html", {"page_url": request.path})


# ---------------------------------------------------------------------------- escalation rules


@office_page
def rules(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "web/office/rules.html",
        {"rules": selectors.escalation_rules(actor), "page_url": request.path},
    )


@office_page
def rule_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = EscalationRuleForm(request.POST or None, actor=actor, prefix="rule")
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda: services.escalation_rule_create(
                actor=actor, **{k: v for k, v in form.service_kwargs().items() if k != "active"}
            ),
            done=_("Escalation rule added."),
            to="web:office_rules",
        )
        if done:
            return done
    return render_form(
        request, "web/office/rule_form.html", {"form": form, "page_url": request.path}, form
    )


@office_page
def rule_edit(request: HttpRequest, actor: Actor, rule_id: int) -> HttpResponse:
    rule = selectors.escalation_rule(actor, rule_id)
    initial = {
        "level": rule.level,
        "trigger": rule.trigger,
        "threshold": rule.threshold,
        "response_days": rule.response_days,
        "active": rule.active,
    }
    form = EscalationRuleForm(request.POST or None, actor=actor, prefix="rule", initial=initial)
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda: services.escalation_rule_update(
                actor=actor, rule_id=rule.pk, **form.service_kwargs()
            ),
            done=_("Escalation rule saved."),
            to="web:office_rules",
        )
        if done:
            return done
    context = {"form": form, "rule": rule, "page_url": request.path}
    return render_form(request, "web/office/rule_form.html", context, form)


@require_POST
@office_page
def rule_active(request: HttpRequest, actor: Actor, rule_id: int) -> HttpResponse:
    """Deactivate a rule (or bring it back): the sweep stops applying it."""
    active = request.POST.get("active") == "1"
    services.escalation_rule_set_active(actor=actor, rule_id=rule_id, active=active)
    messages.success(
        request, _("Escalation rule activated.") if active else _("Escalation rule deactivated.")
    )
    return redirect("web:office_rules")


# ---------------------------------------------------------------------------- loop settings


@office_page
def loop(request: HttpRequest, actor: Actor) -> HttpResponse:
    current = selectors.loop_settings(actor)
    form = LoopSettingsForm(
        request.POST or None, actor=actor, initial=LoopSettingsForm.initial_from(current)
    )
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda: services.loop_settings_update(actor=actor, **form.service_kwargs()),
            done=_("Closed-loop settings saved."),
            to="web:office_loop",
        )
        if done:
            return done
    context = {"form": form, "page_url": request.path}
    return render_form(request, "web/office/loop.html", context, form)


@office_page
def days(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = CalendarDayForm(request.POST or None, actor=actor, prefix="day")
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda: services.calendar_day_add(actor=actor, **form.service_kwargs()),
            done=_("Day entered."),
            to="web:office_days",
        )
        if done:
            return done
    context = {"form": form, "days": selectors.calendar_days(actor), "page_url": request.path}
    return render_form(request, "web/office/days.html", context, form)


@require_POST
@office_page
def day_remove(request: HttpRequest, actor: Actor, day_id: int) -> HttpResponse:
    services.calendar_day_remove(actor=actor, day_id=day_id)
    messages.success(request, _("Day removed."))
    return redirect("web:office_days")
