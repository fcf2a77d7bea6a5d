"""E-mail digests (摘要邮件), sent to a real SMTP server (aiosmtpd) on this machine: one
mail per unit per cycle listing every item, in Chinese by default, nothing lost when the
server fails, nothing sent when mail is off."""

from __future__ import annotations

import datetime as dt
import re
import socket
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from io import StringIO
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from closeout.ledger import clock
from closeout.ledger.models import (
    AssignmentRole,
    Digest,
    LoopSettings,
    Notification,
    NotificationKind,
    ReportCycle,
    Role,
    TaskUnit,
)
from closeout.ledger.services.notifications import (
    RESPONSIBLE,
    SUPERVISING,
    digests_send,
    distinct_events,
    notify_task,
)
from closeout.ledger.tests.factories import SYSTEM, make_users

pytestmark = pytest.mark.django_db

# A week of the digest cycle (weekly by default: Monday to Sunday), and the next one.
MONDAY = dt.date(2024, 3, 4)
SUNDAY = dt.date(2024, 3, 10)
NEXT_MONDAY = dt.date(2024, 3, 11)
ENV = ["env1@env.example.cn", "env2@env.example.cn"]
WATER = "water@water.example.cn"
GROUP = "group@dd.example.cn"
OFFICE = ["office1@zgb.example.cn", "office2@zgb.example.cn"]
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- the SMTP server ----------------------------------------------------------------


@dataclass
class Mail:
    to: list[str]  # the envelope's recipients
    message: EmailMessage

    @property
    def subject(self) -> str:
        # Django folds an encoded subject onto a continuation line; readers drop the
        # leading blank.
        return str(self.message["Subject"]).strip()

    @property
    def body(self) -> str:
        return str(self.message.get_content())

    @property
    def items(self) -> list[str]:
        """The numbered item lines of the body."""
        return [line for line in self.body.splitlines() if re.match(r"\d+\. ", line)]


@dataclass
class Collector:
    """An aiosmtpd handler that keeps what it accepts; it can refuse some recipients or
    answer every message with a given reply instead."""

    mails: list[Mail] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    data_reply: str = ""
    attempts: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.data_reply:
            return self.data_reply
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.mails.append(Mail(sorted(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, *addresses: str) -> Mail:
        """The one mail sent to exactly these addresses."""
        found = [m for m in self.mails if m.to == sorted(addresses)]
        assert len(found) == 1, f"{len(found)} mails to {addresses}: {[m.to for m in self.mails]}"
        return found[0]


class Smtp:
    """A real SMTP server on 127.0.0.1 and a free port, with Django pointed at it."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)
        self.controller.start()
        self.settings.EMAIL_PORT = port

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def mails(self) -> list[Mail]:
        return self.handler.mails


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "closeout@zgb.example.cn"
    settings.CLOSEOUT_MAIL_ENABLED = True
    server = Smtp(settings)
    server.start()
    yield server
    server.stop()


# --- the world with addresses and a week of events ------------------------------------


def set_email(user: Any, address: str) -> None:
    get_user_model().objects.filter(pk=user.pk).update(email=address)


@pytest.fixture
def addressed(world):
    """Two users at 市生态环境局 (the lead of `own`), one at 市城乡水务局 (`foreign`), the
    supervisor of `own` and two office users, all with e-mail addresses."""
    world.users.update(
        make_users(SYSTEM, unit_env2=(Role.UNIT, world.env), office2=(Role.OFFICE, None))
    )
    for name, address in {
        "unit_env": ENV[0],
        "unit_env2": ENV[1],
        "unit_water": WATER,
        "supervisor": GROUP,
        "office": OFFICE[0],
        "office2": OFFICE[1],
    }.items():
        set_email(world.users[name], address)
    return world


def a_week_of_events(world) -> None:
    """Events on four days of the week of MONDAY, for both units, the supervisor and
    the office."""
    with clock.frozen_at(MONDAY):
        notify_task(world.own, NotificationKind.SENT_BACK, roles=RESPONSIBLE, note="佐证材料不足")
        notify_task(world.foreign, NotificationKind.SENT_BACK, roles=RESPONSIBLE, note="未整改到位")
    with clock.frozen_at(MONDAY + dt.timedelta(days=2)):
        notify_task(world.own, NotificationKind.REOPENED, roles=RESPONSIBLE, office=True)
    with clock.frozen_at(MONDAY + dt.timedelta(days=3)):
        notify_task(world.own, NotificationKind.CLOSEOUT_REQUESTED, roles=SUPERVISING)
    with clock.frozen_at(MONDAY + dt.timedelta(days=4)):
        notify_task(world.foreign, NotificationKind.CLOSED, roles=RESPONSIBLE)


def send(day: dt.date) -> Any:
    with clock.frozen_at(day):
        return digests_send(day)


def pending() -> int:
    return Notification.objects.filter(digest__isnull=True).count()


def assert_chinese(text: str, *, besides: str = "") -> None:
    """Not the English source text: Chinese apart from names and figures."""
    rest = text.replace(besides, "")
    assert CJK.search(rest), text
    for english in ("notification", "Sign in", "task ", "Close-out"):
        assert english not in rest, text


# --- one digest per unit per cycle ------------------------------------------------------


def test_a_unit_gets_one_mail_per_cycle_listing_every_item_in_chinese(smtp, addressed):
    a_week_of_events(addressed)

    outcome = send(SUNDAY)

    # One mail per unit (both users of 市生态环境局 in one), per supervising unit and
    # per office user: not one per event, nor one per user of a unit.
    assert sorted(m.to for m in smtp.mails) == sorted(
        [ENV, [WATER], [GROUP], [OFFICE[0]], [OFFICE[1]]]
    )
    env = smtp.handler.to(*ENV)
    assert str(env.message["To"]) == ", ".join(ENV)
    assert env.message["From"] == "closeout@zgb.example.cn"
    # Every event once, though each user of the unit holds a copy.
    assert len(env.items) == 2
    assert sum(addressed.own.text in line for line in env.items) == 2
    assert "佐证材料不足" in env.body
    water = smtp.handler.to(WATER)
    assert len(water.items) == 2
    assert "未整改到位" in water.body and addressed.foreign.text in water.body
    assert addressed.own.text not in water.body
    group = smtp.handler.to(GROUP)
    assert len(group.items) == 1
    # In Chinese, the default language, whatever the language of the caller.
    assert "申请销号" in group.body
    assert "市生态环境局" in env.subject and "2" in env.subject
    assert_chinese(env.subject, besides="市生态环境局")
    assert_chinese(group.body.replace(addressed.own.text, ""), besides="市督导组")
    # Recorded: one digest per recipient, every item linked to the one it went out in.
    assert (outcome.sent, outcome.items, outcome.failed) == (5, 7, [])
    assert Digest.objects.count() == 5
    assert pending() == 0
    digest = Digest.objects.get(recipient_key=f"unit:{addressed.env.pk}")
    assert (digest.unit, digest.addresses, digest.items) == (addressed.env, ENV, 2)
    assert (digest.period_start, digest.period_end) == (MONDAY, SUNDAY)
    assert Notification.objects.filter(digest=digest).count() == 4  # two copies each


def test_a_second_run_in_the_same_cycle_sends_nothing_and_the_next_cycle_only_new_items(
    smtp, addressed
):
    a_week_of_events(addressed)
    send(MONDAY + dt.timedelta(days=4))
    first = len(smtp.mails)
    with clock.frozen_at(MONDAY + dt.timedelta(days=5)):
        notify_task(addressed.own, NotificationKind.CLOSED, roles=RESPONSIBLE)

    again = send(SUNDAY)

    assert (again.sent, again.items, again.failed) == (0, 0, [])
    assert len(smtp.mails) == first
    assert pending() == 2  # the new item waits, one copy per user of the unit

    later = send(NEXT_MONDAY)

    assert (later.sent, later.items) == (1, 1)
    env = smtp.mails[-1]
    assert env.to == ENV
    assert len(env.items) == 1
    assert "佐证材料不足" not in env.body
    assert pending() == 0
    assert send(NEXT_MONDAY).sent == 0


def test_the_digest_cycle_is_the_offices_setting(smtp, addressed):
    loop = LoopSettings.current()
    loop.digest_cycle = ReportCycle.MONTHLY
    loop.save()
    a_week_of_events(addressed)
    send(SUNDAY)
    with clock.frozen_at(NEXT_MONDAY):
        notify_task(addressed.own, NotificationKind.CLOSED, roles=RESPONSIBLE)

    assert send(NEXT_MONDAY).sent == 0  # still March
    assert send(dt.date(2024, 4, 1)).sent == 1


def test_users_without_an_address_get_no_mail_but_keep_their_inbox(smtp, addressed):
    set_email(addressed.users["unit_water"], "")
    set_email(addressed.users["unit_env2"], "")
    a_week_of_events(addressed)

    send(SUNDAY)

    assert not [m for m in smtp.mails if WATER in m.to]
    assert smtp.handler.to(ENV[0]).items  # the unit's other user still gets it
    water = Notification.objects.filter(user=addressed.users["unit_water"])
    assert water.count() == 2
    assert not water.filter(digest__isnull=False).exists()
    assert Notification.objects.filter(user=addressed.users["unit_env2"], digest=None).count() == 2


def test_inactive_users_get_no_mail(smtp, addressed):
    a_week_of_events(addressed)
    get_user_model().objects.filter(pk=addressed.users["office2"].pk).update(is_active=False)

    send(SUNDAY)

    assert not [m for m in smtp.mails if OFFICE[1] in m.to]
    assert smtp.handler.to(OFFICE[0])


def test_a_units_users_and_its_supervisors_get_separate_digests(smtp, addressed):
    # 市生态环境局 also supervises `foreign`; its supervisors act for it in that role only.
    TaskUnit.objects.create(
        task=addressed.foreign, unit=addressed.env, role=AssignmentRole.SUPERVISING
    )
    users = make_users(SYSTEM, env_supervisor=(Role.SUPERVISOR, addressed.env))
    set_email(users["env_supervisor"], "supervisor@env.example.cn")
    with clock.frozen_at(MONDAY):
        notify_task(addressed.own, NotificationKind.CLOSED, roles=RESPONSIBLE)
        notify_task(addressed.foreign, NotificationKind.VERIFICATION_DUE, roles=SUPERVISING)

    send(MONDAY)

    unit = smtp.handler.to(*ENV)
    supervisors = smtp.handler.to("supervisor@env.example.cn")
    assert addressed.own.text in unit.body and addressed.foreign.text not in unit.body
    assert addressed.foreign.text in supervisors.body and addressed.own.text not in supervisors.body
    assert set(Digest.objects.values_list("recipient_key", flat=True)) >= {
        f"unit:{addressed.env.pk}",
        f"supervisor:{addressed.env.pk}",
    }


def test_an_event_that_happened_twice_is_listed_twice():
    moment = dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC)

    def copy(user: int) -> Notification:
        return Notification(user_id=user, kind="closed", task_id=1, count=1, created_at=moment)

    # Users 1 and 2 each hold two copies of the same-looking event: it happened twice.
    notes = [copy(1), copy(2), copy(1), copy(2)]

    assert distinct_events(notes) == [notes[0], notes[1]]
    # Three users with one copy each: one event.
    once = [copy(1), copy(2), copy(3)]
    assert distinct_events(once) == [once[0]]


def test_the_queries_do_not_grow_with_the_items(smtp, addressed):
    LoopSettings.current()  # created once, on first use

    def queries_for(events: int, day: dt.date) -> int:
        with clock.frozen_at(day):
            for _ in range(events):
                notify_task(addressed.own, NotificationKind.CLOSED, roles=RESPONSIBLE)
                notify_task(addressed.foreign, NotificationKind.CLOSED, roles=RESPONSIBLE)
            with CaptureQueriesContext(connection) as queries:
                assert digests_send(day).items == 2 * events
        return len(queries)

    assert queries_for(2, MONDAY) == queries_for(40, NEXT_MONDAY)


# --- failures lose nothing ---------------------------------------------------------------


def test_when_the_server_is_down_nothing_is_lost_and_the_next_run_sends(smtp, addressed):
    a_week_of_events(addressed)
    smtp.stop()

    down = send(SUNDAY)

    assert (down.sent, down.items) == (0, 0)
    assert len(down.failed) == 1 and "mail server unavailable" in down.failed[0]
    assert not Digest.objects.exists()
    assert pending() == Notification.objects.count()

    smtp.start()
    up = send(SUNDAY)  # the same cycle: nothing went out yet

    assert (up.sent, up.items, up.failed) == (5, 7, [])
    assert len(smtp.mails) == 5
    assert pending() == 0


def test_a_server_that_shuts_down_midway_stops_the_run_and_loses_nothing(smtp, addressed):
    a_week_of_events(addressed)
    smtp.handler.data_reply = "421 4.3.2 service shutting down"

    outcome = send(SUNDAY)

    assert outcome.sent == 0
    assert smtp.handler.attempts == 1  # the other four were not tried
    assert outcome.failed[-1] == "4 more digests not tried: mail server unavailable"
    assert pending() == Notification.objects.count()

    smtp.handler.data_reply = ""
    assert send(SUNDAY).sent == 5


def test_a_refused_mail_leaves_its_items_for_later_and_the_others_go(smtp, addressed):
    a_week_of_events(addressed)
    smtp.handler.refuse = {WATER}

    outcome = send(SUNDAY)

    assert outcome.sent == 4
    assert len(outcome.failed) == 1 and WATER in outcome.failed[0]
    water = Notification.objects.filter(user=addressed.users["unit_water"])
    assert water.filter(digest=None).count() == 2
    assert pending() == 2

    smtp.handler.refuse = set()
    later = send(SUNDAY)  # this cycle's digest for the unit never went out

    assert (later.sent, later.items) == (1, 2)
    assert smtp.handler.to(WATER).items
    assert pending() == 0


def test_with_mail_off_nothing_is_sent(smtp, addressed, settings):
    settings.CLOSEOUT_MAIL_ENABLED = False
    a_week_of_events(addressed)

    outcome = send(SUNDAY)

    assert (outcome.sent, outcome.items, outcome.failed) == (0, 0, [])
    assert smtp.mails == [] and smtp.handler.attempts == 0
    assert not Digest.objects.exists()
    assert pending() == Notification.objects.count() > 0


# --- the sweep sends them ------------------------------------------------------------


@pytest.mark.parametrize("no_mail", [False, True])
def test_the_sweep_sends_the_digests_unless_told_not_to(smtp, addressed, no_mail):
    # The world's tasks started in July 2018 and nobody has reported: the sweep records
    # missing reports and issues measures, and tells the units.
    day = dt.date(2019, 3, 6)
    out = StringIO()
    args = ["sweep", "--as-of", day.isoformat(), *(["--no-mail"] if no_mail else [])]

    with clock.frozen_at(day):
        call_command(*args, stdout=out, stderr=StringIO())

    told = Notification.objects.filter(user__email__in=[*ENV, WATER])
    assert told.filter(kind=NotificationKind.MISSED_REPORTS).exists()
    if no_mail:
        assert smtp.mails == []
        assert not Digest.objects.exists()
        assert "e-mail digests sent" not in out.getvalue()
    else:
        env, water = smtp.handler.to(*ENV), smtp.handler.to(WATER)
        assert env.items and water.items
        assert not told.filter(digest=None).exists()
        assert f"{len(smtp.mails)} e-mail digests sent" in out.getvalue()
