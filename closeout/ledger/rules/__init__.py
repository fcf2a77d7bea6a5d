"""The closed loop's rules as pure functions over frozen inputs: no queries, no models.

schedule (序时进度 buckets), cycles (reporting periods, 调度), escalation (the 督办 ladder and
its causes), calendar (working days and public holidays), workflow (the task life cycle's
state table) and plandiff (what changed between two versions of a plan). Models, services
and the sweep build on them; they import nothing of the ledger but each other (an
import-linter contract in `./dev test` holds this).
"""
