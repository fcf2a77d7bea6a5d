"""Notifications: inbox items for events (站内消息) and the e-mail digest (摘要邮件).

Services call `notify_task` when something happens that a unit must act on; the sweep
writes its own items set-based. `digests_send` gathers the items not yet mailed into one
message per recipient per cycle (weekly by default) and sends it through Django's e-mail
backend (SMTP in production, see the README). The recipients of a digest:

- a responsible unit's users (责任单位) share one digest per unit, and so do a
  supervising unit's supervisors (督导单位): they act for the unit, and a unit wants
  one mail a week, not one per user or per event;
- everyone else (the office 整改办, leaders, logins without a unit) gets their own.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound
from closeout.ledger.models import (
    AssignmentRole,
    Digest,
    Escalation,
    LoopSettings,
    Notification,
    NotificationKind,
    Profile,
    Role,
    Task,
    TaskUnit,
    Unit,
)
from closeout.ledger.rules import cycles

log = logging.getLogger(__name__)

RESPONSIBLE = (AssignmentRole.LEAD, AssignmentRole.COOP)
SUPERVISING = (AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING)
# Roles whose users share their unit's digest.
UNIT_DIGEST_ROLES = (Role.UNIT, Role.SUPERVISOR)
EXCERPT = 60  # characters of a task's text in a notification line


# --- the inbox ----------------------------------------------------------------------


def notify_task(
    task: Task,
    kind: str,
    *,
    roles: Iterable[str] = (),
    office: bool = False,
    note: str = "",
    escalation: Escalation | None = None,
    exclude_user: int | None = None,
) -> int:
    """One inbox item about a task for every active user of the units taking `roles` in
    it (unit users for responsible roles, supervisors for supervising ones) and, with
    `office`, for every office user; never for `exclude_user` (who did it). Two queries
    whatever the number of users. Call inside the service's transaction."""
    roles = set(roles)
    assigned = TaskUnit.objects.filter(task_id=task.pk)
    want = Q(pk__in=[])
    if roles & set(RESPONSIBLE):
        units = assigned.filter(role__in=roles & set(RESPONSIBLE)).values("unit_id")
        want |= Q(role=Role.UNIT, unit_id__in=units)
    if roles & set(SUPERVISING):
        units = assigned.filter(role__in=roles & set(SUPERVISING)).values("unit_id")
        want |= Q(role=Role.SUPERVISOR, unit_id__in=units)
    if office:
        want |= Q(role=Role.OFFICE)
    users = set(
        Profile.objects.filter(want, user__is_active=True).values_list("user_id", flat=True)
    )
    users.discard(exclude_user)  # type: ignore[arg-type]
    now = clock.now()
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user,
                kind=kind,
                task=task,
                escalation=escalation,
                count=1,
                note=note,
                created_at=now,
            )
            for user in sorted(users)
        ]
    )
    return len(users)


def inbox(actor: Actor, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's notifications, newest first."""
    qs = Notification.objects.filter(user_id=actor.user_id or -1).select_related(
        "task", "escalation"
    )
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return Notification.objects.filter(user_id=actor.user_id, read_at__isnull=True).count()


def notifications_mark_read(actor: Actor, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, without ids, all) of the actor's notifications read; returns how
    many changed. An id that is not the actor's is NotFound, and nothing is marked."""
    qs = Notification.objects.filter(user_id=actor.user_id or -1, read_at__isnull=True)
    if ids is not None:
        wanted = set(ids)
        mine = Notification.objects.filter(pk__in=wanted, user_id=actor.user_id or -1)
        if mine.count() != len(wanted):
            raise NotFound(_("no such notification"))
        qs = qs.filter(pk__in=wanted)
    return qs.update(read_at=clock.now())


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(notification: Notification) -> str:
    """What a notification is about, without its kind, on one line in the active
    language: the task's number and the start of its text, the measure's level and
    response date, the count of missed reports, the note. No links: mail clients and
    the inbox page add their own."""
    n = notification
    parts = []
    if n.escalation_id is not None and n.escalation is not None:
        parts.append(n.escalation.get_level_display())
    if n.task_id is not None and n.task is not None:
        parts.append(
            _("task %(number)s: %(text)s")
            % {"number": n.task.seq, "text": _one_line(n.task.text, EXCERPT)}
        )
    if n.kind == NotificationKind.MISSED_REPORTS:
        parts.append(
            ngettext(
                "%(count)s progress report not submitted on time",
                "%(count)s progress reports not submitted on time",
                n.count,
            )
            % {"count": n.count}
        )
    if n.kind == NotificationKind.LOOKBACK_DUE and n.task_id is None:
        parts.append(
            ngettext(
                "%(count)s look-back check of a task closed before the ledger was swept",
                "%(count)s look-back checks of tasks closed before the ledger was swept",
                n.count,
            )
            % {"count": n.count}
        )
    if n.escalation is not None and n.escalation.response_due is not None:
        parts.append(
            _("response due by %(date)s") % {"date": n.escalation.response_due.isoformat()}
        )
    if n.note:
        parts.append(_one_line(n.note, 100))
    return " — ".join(parts)


def render(notification: Notification) -> str:
    """One line for the inbox, in the active language: the kind, then `describe`."""
    label = str(NotificationKind(notification.kind).label)
    text = describe(notification)
    return f"{label}: {text}" if text else label


# --- the e-mail digest (摘要邮件) -----------------------------------------------------


@dataclass(frozen=True)
class DigestOutcome:
    sent: int  # e-mails sent
    items: int  # distinct notifications they listed
    failed: list[str]  # one line per digest not sent (retried on the next run)


def _digest_cycle() -> cycles.Cycle:
    loop = LoopSettings.current()
    return cycles.Cycle.of_settings(loop.digest_cycle, loop.digest_cycle_days)


def recipient_key(*, role: str | None, unit_id: int | None, user_id: int) -> str:
    """Who a notification of this user is mailed to: "unit:<id>" (the responsible
    unit's users), "supervisor:<id>" (the supervising unit's supervisors) or
    "user:<id>" (everyone else, on their own)."""
    if role in UNIT_DIGEST_ROLES and unit_id is not None:
        return f"{role}:{unit_id}"
    return f"user:{user_id}"


def digests_send(as_of: dt.date | None = None) -> DigestOutcome:
    """Mail each recipient (see the module) one digest of its notifications not yet
    mailed, at most once per digest cycle (the cycle that contains `as_of`, today by
    default), in the default language (settings LANGUAGE_CODE). Nothing is sent while
    e-mail is not configured.

    1. Pending notifications are those not yet in a digest, of active users with an
       e-mail address; users without one keep theirs in the inbox only.
    2. Their recipients come from one query (SELECT DISTINCT); recipients that already
       had this cycle's digest wait for the next cycle.
    3. Per recipient: read its items (one query), drop the copies of one event that
       each user of a unit holds, write the mail.
    4. The `Digest` row and the items' link to it are written in the transaction that
       sends the mail: a mail that fails leaves the items pending for the next run,
       and the unique (recipient, cycle) row makes a concurrent run skip instead of
       sending twice.
    5. When the mail server cannot be reached, the remaining digests are not tried.
    """
    if not getattr(settings, "CLOSEOUT_MAIL_ENABLED", False):
        return DigestOutcome(0, 0, [])
    day = as_of or clock.today()
    period = cycles.period_of(day, _digest_cycle())
    pending = _pending()
    already = set(
        Digest.objects.filter(period_start=period.start).values_list("recipient_key", flat=True)
    )
    due = [
        group
        for group in (
            pending.values("_unit", "_role", "_user").order_by("_role", "_unit", "_user").distinct()
        )
        if _key(group) not in already
    ]
    if not due:
        return DigestOutcome(0, 0, [])
    units = Unit.objects.in_bulk([g["_unit"] for g in due if g["_unit"] is not None])
    sent = items = 0
    failed: list[str] = []
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:
        log.warning("mail server unavailable, %s digests not sent: %s", len(due), exc)
        return DigestOutcome(0, 0, [f"mail server unavailable: {exc}"])
    try:
        for index, group in enumerate(due):
            key = _key(group)
            if group["_unit"] is not None:
                rows = pending.filter(
                    user__profile__unit_id=group["_unit"], user__profile__role=group["_role"]
                )
            else:
                rows = pending.filter(user_id=group["_user"])
            notes = list(
                rows.select_related("task", "escalation", "user", "user__profile").order_by(
                    "created_at", "id"
                )
            )
            if not notes:  # mailed by a concurrent run since we counted
                continue
            events = distinct_events(notes)
            unit = units.get(group["_unit"])
            addresses = sorted({n.user.email for n in notes})
            with translation.override(settings.LANGUAGE_CODE):
                name = str(unit) if unit is not None else _user_name(notes[0])
                subject, body = compose(name, events)
            message = EmailMessage(
                subject, body, settings.DEFAULT_FROM_EMAIL, addresses, connection=connection
            )
            try:
                with transaction.atomic():
                    digest = Digest.objects.create(
                        recipient_key=key,
                        unit=unit,
                        period_start=period.start,
                        period_end=period.end,
                        sent_at=clock.now(),
                        addresses=addresses,
                        subject=subject[:200],
                        items=len(events),
                    )
                    ids = [n.pk for n in notes]
                    for start in range(0, len(ids), 1000):
                        Notification.objects.filter(pk__in=ids[start : start + 1000]).update(
                            digest=digest
                        )
                    message.send()
            except IntegrityError:
                continue  # a concurrent run sent this cycle's digest first
            except Exception as exc:  # a mail problem must not lose the notifications
                log.warning("digest for %s not sent: %s", key, exc)
                failed.append(f"{key} ({', '.join(addresses)}): {exc}")
                if _server_down(exc):
                    if rest := len(due) - index - 1:
                        failed.append(f"{rest} more digests not tried: mail server unavailable")
                    break
                continue
            sent += 1
            items += len(events)
    finally:
        try:
            connection.close()
        except Exception as exc:  # the server may be gone already
            log.warning("closing the mail connection: %s", exc)
    return DigestOutcome(sent, items, failed)


def _server_down(exc: BaseException) -> bool:
    """Whether a sending error means no further mail can go out on this run (the server
    is gone, turns us away or will not let us log in), rather than that this one message
    was refused (its recipients, say)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421 or isinstance(
            exc, smtplib.SMTPConnectError | smtplib.SMTPAuthenticationError
        )
    return isinstance(exc, OSError)  # refused or reset connections, timeouts, disconnects


def _pending() -> QuerySet[Any]:
    """Notifications not mailed yet, annotated with their recipient: `_unit` and `_role`
    for unit digests, `_user` for personal ones (0 otherwise)."""
    by_unit = Q(user__profile__role__in=UNIT_DIGEST_ROLES, user__profile__unit_id__isnull=False)
    return (
        Notification.objects.filter(digest__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .annotate(
            _unit=Case(
                When(by_unit, then=F("user__profile__unit_id")),
                default=None,
                output_field=IntegerField(),
            ),
            _role=Case(
                When(by_unit, then=F("user__profile__role")),
                default=Value(""),
                output_field=CharField(),
            ),
            _user=Case(
                When(by_unit, then=Value(0)), default=F("user_id"), output_field=IntegerField()
            ),
        )
    )


def _key(group: dict[str, Any]) -> str:
    return recipient_key(role=group["_role"], unit_id=group["_unit"], user_id=group["_user"])


def _user_name(notification: Notification) -> str:
    profile = getattr(notification.user, "profile", None)
    return (profile.display_name if profile else "") or notification.user.get_username()


def _event(n: Notification) -> tuple[Any, ...]:
    return (n.kind, n.task_id, n.escalation_id, n.count, n.note, n.created_at)


def distinct_events(notes: Sequence[Notification]) -> list[Notification]:
    """One notification per event: every user of a unit holds a copy of the same event
    (same kind, task, measure, figures and time). An event one user holds k times
    happened k times, so it stays k times."""
    times: Counter[tuple[Any, ...]] = Counter()
    for (_user, event), held in Counter((x.user_id, _event(x)) for x in notes).items():
        times[event] = max(times[event], held)
    out: list[Notification] = []
    for n in notes:
        event = _event(n)
        if times[event]:
            times[event] -= 1
            out.append(n)
    return out


def compose(name: str, events: Sequence[Notification]) -> tuple[str, str]:
    """The subject and body of a digest for `name` (a unit or a person), in the active
    language: a count, then one section per kind (in the order of NotificationKind)
    with its count and one line per item."""
    count = len(events)
    subject = ngettext(
        "closeout: %(count)s new notification for %(name)s",
        "closeout: %(count)s new notifications for %(name)s",
        count,
    ) % {"count": count, "name": name}
    first = timezone.localdate(events[0].created_at)
    last = timezone.localdate(events[-1].created_at)
    span = (
        first.isoformat()
        if first == last
        else _("%(start)s to %(end)s") % {"start": first.isoformat(), "end": last.isoformat()}
    )
    lines = [
        _("%(name)s:") % {"name": name},
        "",
        ngettext(
            "closeout has %(count)s new notification for you (%(span)s).",
            "closeout has %(count)s new notifications for you (%(span)s).",
            count,
        )
        % {"count": count, "span": span},
    ]
    order = {kind: i for i, kind in enumerate(NotificationKind.values)}
    by_kind: dict[str, list[Notification]] = {}
    for n in sorted(events, key=lambda n: order.get(n.kind, len(order))):
        by_kind.setdefault(n.kind, []).append(n)
    for kind, group in by_kind.items():
        label = str(NotificationKind(kind).label)
        lines += ["", _("%(kind)s (%(count)s)") % {"kind": label, "count": len(group)}]
        lines += [f"{i}. {describe(n) or label}" for i, n in enumerate(group, 1)]
    lines += [
        "",
        _(
            "Sign in to closeout to see the details and act on them. Every item is also in "
            "your inbox there; this e-mail comes at most once per cycle."
        ),
        "",
    ]
    return subject, "\n".join(lines)
