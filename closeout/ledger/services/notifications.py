"""Notifications: inbox items for events (站内消息) and the e-mail digest (摘要邮件).

Services call `notify_task` when something happens that a unit must act on; the sweep
writes its own items set-based. `digests_send` gathers, for every unit, the items its
users have not had by mail into one message per cycle (weekly by default) and sends it
through Django's e-mail backend (SMTP in production, see the README).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from closeout.ledger import clock, cycles
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound
from closeout.ledger.models import (
    AssignmentRole,
    Digest,
    LoopSettings,
    Notification,
    NotificationKind,
    Profile,
    Role,
    Task,
    TaskUnit,
)

log = logging.getLogger(__name__)

RESPONSIBLE = (AssignmentRole.LEAD, AssignmentRole.COOP)
SUPERVISING = (AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING)


def notify_task(
    task: Task,
    kind: str,
    *,
    roles: Iterable[str] = (),
    office: bool = False,
    note: str = "",
    exclude_user: int | None = None,
) -> int:
    """One inbox item about a task for every user of the units taking `roles` in it
    (unit users for responsible roles, supervisors for supervising ones) and, with
    `office`, for every office user. Call inside the service's transaction."""
    roles = tuple(roles)
    units = TaskUnit.objects.filter(task_id=task.pk, role__in=roles).values("unit_id")
    want = Q(pk__in=[])
    if set(roles) & set(RESPONSIBLE):
        want |= Q(role=Role.UNIT, unit_id__in=units.filter(role__in=RESPONSIBLE))
    if set(roles) & set(SUPERVISING):
        want |= Q(role=Role.SUPERVISOR, unit_id__in=units.filter(role__in=SUPERVISING))
    if office:
        want |= Q(role=Role.OFFICE)
    users = set(Profile.objects.filter(want).values_list("user_id", flat=True))
    users.discard(exclude_user)  # type: ignore[arg-type]
    now = clock.now()
    Notification.objects.bulk_create(
        [
            Notification(user_id=u, kind=kind, task=task, count=1, note=note, created_at=now)
            for u in sorted(users)
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
    """Mark some (or, without ids, all) of the actor's notifications read."""
    qs = Notification.objects.filter(user_id=actor.user_id or -1, read_at__isnull=True)
    if ids is not None:
        ids = list(ids)
        if not Notification.objects.filter(pk__in=ids, user_id=actor.user_id or -1).count() == len(
            set(ids)
        ):
            raise NotFound(_("no such notification"))
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=clock.now())


def render(notification: Notification) -> str:
    """One line for the inbox or a digest, in the active language."""
    task = notification.task
    label = NotificationKind(notification.kind).label
    if notification.kind == NotificationKind.MISSED_REPORTS:
        return _("%(count)s progress reports were not submitted on time") % {
            "count": notification.count
        }
    text = f"{label}: {task.seq}. {task.text[:60]}" if task is not None else str(label)
    if notification.escalation_id is not None and notification.escalation is not None:
        esc = notification.escalation
        text = f"{esc.get_level_display()} — {text}"
    if notification.note:
        text += f" ({notification.note})"
    return text


@dataclass(frozen=True)
class DigestOutcome:
    sent: int
    items: int
    failed: list[str]


def _digest_cycle() -> cycles.Cycle:
    loop = LoopSettings.current()
    try:
        return cycles.Cycle.of_plan(loop.digest_cycle, loop.digest_cycle_days)
    except ValueError:
        return cycles.Cycle()


def digests_send(as_of: dt.date | None = None) -> DigestOutcome:
    """Send each unit (and each user without a unit) one e-mail with the notifications
    not yet mailed, at most once per digest cycle. Users without an e-mail address get
    nothing by mail; their inbox still has everything. Nothing is sent while e-mail is
    not configured (`CLOSEOUT_SMTP_HOST`)."""
    if not getattr(settings, "CLOSEOUT_MAIL_ENABLED", False):
        return DigestOutcome(0, 0, [])
    day = as_of or clock.today()
    period = cycles.period_of(day, _digest_cycle())
    pending = (
        Notification.objects.filter(digest__isnull=True, created_at__date__lte=day)
        .exclude(user__email="")
        .select_related("task", "escalation", "user", "user__profile", "user__profile__unit")
        .order_by("created_at", "id")
    )
    groups: dict[str, list[Notification]] = defaultdict(list)
    for item in pending.iterator(chunk_size=2000):
        profile = getattr(item.user, "profile", None)
        unit_id = profile.unit_id if profile is not None else None
        key = (
            f"unit:{unit_id}"
            if unit_id is not None and profile.role != Role.OFFICE
            else (f"user:{item.user_id}")
        )
        groups[key].append(item)
    already = set(
        Digest.objects.filter(period_start=period.start, recipient_key__in=groups).values_list(
            "recipient_key", flat=True
        )
    )
    sent = items = 0
    failed: list[str] = []
    connection = get_connection()
    for key, notes in sorted(groups.items()):
        if key in already:
            continue
        addresses = sorted({n.user.email for n in notes})
        unit = getattr(notes[0].user.profile, "unit", None) if key.startswith("unit:") else None
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("closeout: %(count)s notifications for %(period)s") % {
                "count": len(notes),
                "period": f"{period.start:%Y-%m-%d}–{period.end:%Y-%m-%d}",
            }
            lines = [render(n) for n in notes]
            greeting = str(unit) if unit is not None else notes[0].user.get_username()
            body = "\n".join([greeting, "", *(f"- {line}" for line in lines), ""])
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, addresses, connection=connection
        )
        try:
            message.send()
        except Exception as exc:  # a mail server problem must not lose the notes
            log.warning("digest for %s not sent: %s", key, exc)
            failed.append(f"{key}: {exc}")
            continue
        with transaction.atomic():
            digest = Digest.objects.create(
                recipient_key=key,
                unit=unit,
                period_start=period.start,
                period_end=period.end,
                sent_at=clock.now(),
                addresses=addresses,
                subject=subject[:200],
                items=len(notes),
            )
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(digest=digest)
        sent += 1
        items += len(notes)
    return DigestOutcome(sent, items, failed)
