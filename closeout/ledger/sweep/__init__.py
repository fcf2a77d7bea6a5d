"""The sweep (定时核查): applies the closed loop's rules to every task as of a date.

`closeout sweep [--as-of DATE]` calls `run`. In one transaction, set-based (a handful
of SQL statements over all tasks, never a Python loop over tasks), it ends the public
notices (公示) whose days have run out, records missing progress reports (漏报) and each
task's run of them, stores every task's schedule bucket (序时进度), schedules look-back
checks (回头看) and announces those that fall due, issues the escalation measures (督办)
the office's rules call for and lifts those whose cause is gone, and writes the inbox
items for what it recorded.

Each of these is one rule (`rules.SweepRule`): its sentence, what it reads and writes,
its statements and, where one exists, the pure function it agrees with. `rules.RULES`
orders them by what they read and write; `closeout sweep --explain` prints them.

Running it twice for the same date changes nothing the second time (every insert is
guarded by "not already there", every update by "value differs"), so a timer may run
it as often as it likes. E-mail digests are sent after the transaction commits
(`closeout.ledger.services.notifications.digests_send`).

    rules.py          the rules, declared and ordered
    loop.py           the run: lock, context, each rule in order, totals, the run's record
    reports.py        missing reports and report streaks
    buckets.py        schedule buckets and the end of public notices
    lookbacks.py      look-back checks and their announcements
    escalations.py    measures issued and lifted
    notifications.py  inbox items
    explain.py        the statements as compiled, for --explain
    sqlrules.py       the closed loop's rules as SQL expressions (bucket, causes, thresholds)
    sql.py            portable SQL pieces: dates, INSERT … SELECT, UPDATE … FROM, slots
"""

from __future__ import annotations

from closeout.ledger.sweep.base import Context, SweepResult
from closeout.ledger.sweep.escalations import response_due
from closeout.ledger.sweep.loop import run
from closeout.ledger.sweep.reports import streak_extend
from closeout.ledger.sweep.rules import RULES, SweepRule

__all__ = ["RULES", "Context", "SweepResult", "SweepRule", "response_due", "run", "streak_extend"]
