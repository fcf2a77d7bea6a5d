"""The office's logins page (账号管理): find a login by name, role or unit; add one with
its role and unit; change role and unit; deactivate or reactivate; set a new password
that the office gives to the person. Password hashes are never shown."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.selectors import office as selectors
from closeout.ledger.services import accounts as services
from closeout.web.office import office_page, page_number, render_form, submit
from closeout.web.officeforms import (
    AccountCreateForm,
    AccountFilterForm,
    AccountUpdateForm,
    PasswordForm,
    unit_reference,
)


@office_page
def users(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AccountFilterForm(request.GET or None, actor=actor)
    filters = form.to_filter()
    try:
        page = selectors.accounts_page(actor, filters, page=page_number(request))
    except DomainError as error:
        form.domain_error(error)
        page = selectors.accounts_page(actor, selectors.AccountFilter(), page=1)
    rows = [(user, selectors.account_role(user)) for user in page.object_list]
    context = {"form": form, "page": page, "rows": rows, "page_url": request.get_full_path()}
    return render_form(request, "web/office/users.html", context, form)


@office_page
def user_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    initial = {"unit": request.GET.get("unit", "")}
    form = AccountCreateForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda: services.account_create(actor=actor, **form.service_kwargs()),
            done=_("Login added. Give the person their user name and password."),
            to="web:office_users",
        )
        if done:
            return done
    context = {"form": form, "page_url": request.path}
    return render_form(request, "web/office/user_add.html", context, form)


def _user_page(
    request: HttpRequest,
    actor: Actor,
    user_id: int,
    *,
    edit: AccountUpdateForm | None = None,
    password: PasswordForm | None = None,
) -> HttpResponse:
    user = selectors.account(actor, user_id)
    profile = getattr(user, "profile", None)
    initial = {
        "role": selectors.account_role(user),
        "unit": unit_reference(profile.unit if profile else None),
        "display_name": profile.display_name if profile else "",
    }
    edit = edit or AccountUpdateForm(actor=actor, prefix="edit", initial=initial)
    password = password or PasswordForm(actor=actor, prefix="password")
    context = {
        "account": user,
        "role": selectors.account_role(user),
        "edit": edit,
        "password": password,
        "is_self": user.pk == actor.user_id,
        "page_url": request.path,
    }
    return render_form(request, "web/office/user.html", context, edit, password)


@office_page
def user(request: HttpRequest, actor: Actor, user_id: int) -> HttpResponse:
    if request.method != "POST":
        return _user_page(request, actor, user_id)
    selectors.account(actor, user_id)  # 404 before anything is parsed
    form = AccountUpdateForm(request.POST, actor=actor, prefix="edit")
    done = submit(
        request,
        form,
        lambda: services.account_update(actor=actor, user_id=user_id, **form.service_kwargs()),
        done=_("Login saved."),
        to="web:office_user",
        args=(user_id,),
    )
    return done or _user_page(request, actor, user_id, edit=form)


@require_POST
@office_page
def user_password(request: HttpRequest, actor: Actor, user_id: int) -> HttpResponse:
    selectors.account(actor, user_id)
    form = PasswordForm(request.POST, actor=actor, prefix="password")
    done = submit(
        request,
        form,
        lambda: services.account_set_password(
            actor=actor, user_id=user_id, password=form.cleaned_data["password"]
        ),
        done=_("New password set. Give it to the person."),
        to="web:office_user",
        args=(user_id,),
    )
    return done or _user_page(request, actor, user_id, password=form)


@require_POST
@office_page
def user_active(request: HttpRequest, actor: Actor, user_id: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    try:
        services.account_set_active(actor=actor, user_id=user_id, active=active)
    except DomainError as error:
        if error.field != "active":
            raise
        messages.error(request, error.message)
        return redirect("web:office_user", user_id)
    messages.success(request, _("Login reactivated.") if active else _("Login deactivated."))
    return redirect("web:office_user", user_id)
