"""Problems (反馈问题/交办件) and the rectification tasks (整改任务) that answer them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models.lifecycle import TaskLifecycle
from closeout.ledger.rules.schedule import Bucket

DEFAULT_ACCEPTANCE_CRITERIA = "生态修复、污染消除、群众满意"


class Category(models.TextChoices):
    AIR = "air", _("Air")  # 大气
    WATER = "water", _("Water")  # 水
    SOIL = "soil", _("Soil")  # 土壤
    SOLID_WASTE = "solid_waste", _("Solid waste")  # 固废
    ECOLOGY = "ecology", _("Ecology")  # 生态
    RESPONSIBILITY = "responsibility", _("Responsibility and awareness")  # 责任落实/思想认识
    INDUSTRY = "industry", _("Industry and energy structure")  # 产业/能源结构
    SUPERVISION = "supervision", _("Enforcement and supervision")  # 执法监管
    OTHER = "other", _("Other")


class ProblemSource(models.TextChoices):
    FEEDBACK = "feedback", _("Inspection feedback")  # 督察反馈意见
    COMPLAINT = "complaint", _("Complaint case")  # 交办件/群众举报
    GRID_PATROL = "grid_patrol", _("Grid patrol")  # 网格巡查
    SELF_INSPECTION = "self_inspection", _("Self-inspection")  # 自查/举一反三


class Problem(models.Model):
    """A problem found by an inspection, or a complaint case handed over (交办件)."""

    plan = models.ForeignKey(
        "ledger.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="problems"
    )
    inspection = models.ForeignKey(
        "ledger.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    seq = models.PositiveIntegerField(_("sequence number"))
    number = models.CharField(_("number in the plan"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("description"), blank=True)
    outline_path = models.JSONField(_("outline path"), default=list, blank=True)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.OTHER
    )
    source = models.CharField(
        _("source"), max_length=16, choices=ProblemSource.choices, default=ProblemSource.FEEDBACK
    )
    regions = models.ManyToManyField(
        "ledger.Unit", verbose_name=_("regions"), related_name="problems", blank=True
    )
    span_start = models.PositiveIntegerField(_("source span start"), null=True, blank=True)
    span_end = models.PositiveIntegerField(_("source span end"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["plan", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "seq"], name="problem_unique_seq_in_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.seq}. {self.title}"


class Task(TaskLifecycle):
    """A rectification task (整改任务) with its "five clears" (五明确): target, measures,
    responsible units, responsible persons and deadline (整改时限).

    The deadline is kept three ways because plans write it in words: `deadline_raw` as
    written ("立行立改,长期坚持", "2020年年底"), `due_date` normalised (None when there is
    none) and the `immediate` (立行立改) / `ongoing` (长期坚持) flags.
    """

    plan = models.ForeignKey(
        "ledger.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks"
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="tasks"
    )
    # Denormalised from the problem: the list filters by inspection on every page.
    inspection = models.ForeignKey(
        "ledger.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    seq = models.PositiveIntegerField(_("sequence number"))
    text = models.TextField(_("task"))
    target = models.TextField(_("rectification target"), blank=True)  # 整改目标
    measures = models.JSONField(_("measures"), default=list, blank=True)  # 整改措施, in order
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.OTHER
    )
    deadline_raw = models.CharField(_("deadline as written"), max_length=120, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    immediate = models.BooleanField(_("immediate (立行立改)"), default=False)
    ongoing = models.BooleanField(_("ongoing (长期坚持)"), default=False)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    acceptance_criteria = models.TextField(
        _("acceptance criteria"), default=DEFAULT_ACCEPTANCE_CRITERIA, blank=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    last_reported_at = models.DateTimeField(_("last reported at"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    flags = models.JSONField(_("review flags"), default=list, blank=True)
    # Kept by the closed loop (the services; see closeout.ledger.services.closeouts):
    # the start of the latest period reported for, the rebounds found by look-backs, the
    # close-out round and the last day of a running public notice. What the sweep keeps
    # for every task (the schedule bucket, the run of missed reports) is in `TaskState`.
    last_report_period = models.DateField(
        _("latest period reported for"), null=True, editable=False
    )
    rebounds = models.PositiveSmallIntegerField(_("rebounds"), default=0, editable=False)
    closeout_round = models.PositiveSmallIntegerField(
        _("close-out round"), default=0, editable=False
    )
    notice_until = models.DateField(_("public notice until"), null=True, editable=False)
    span_start = models.PositiveIntegerField(_("source span start"), null=True, blank=True)
    span_end = models.PositiveIntegerField(_("source span end"), null=True, blank=True)
    # Where the import read each field in the plan's source text (the parse result's
    # "spans": {"lead_units": [[start, end], …], "deadline": […], "standing_units": …}).
    source_spans = models.JSONField(_("source spans of the fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "seq"], name="task_unique_seq_in_plan"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="task_progress_le_100"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="task_status_due"),
            models.Index(fields=["due_date", "id"], name="task_due"),
            models.Index(fields=["inspection", "status"], name="task_inspection_status"),
            models.Index(fields=["category", "status"], name="task_category_status"),
            models.Index(fields=["updated_at", "id"], name="task_updated"),
            models.Index(fields=["progress", "id"], name="task_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.text[:40]}"

    @property
    def source_excerpt(self) -> str:
        return self.plan.source_excerpt(self.span_start, self.span_end)


class TaskState(models.Model):
    """What the sweep keeps up to date for every task: the schedule bucket (序时进度) as
    of the last change or sweep, and the current run of missed reports (漏报) with the
    period it began. One row per task, created with it.

    A narrow table of its own, because the sweep rewrites these for hundreds of thousands
    of tasks at once: on the task row (texts, sixteen indexes, two of them trigram) each
    such update writes a new copy of the row and an entry in every index, minutes on a
    million tasks; here it writes a few dozen bytes and the primary key.
    """

    task = models.OneToOneField(
        Task,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="state",
        verbose_name=_("task"),
    )
    bucket = models.CharField(
        _("schedule status"), max_length=12, choices=Bucket.choices, blank=True, editable=False
    )
    missed_reports = models.PositiveSmallIntegerField(
        _("reports missed in a row"), default=0, editable=False
    )
    missed_since = models.DateField(_("missing reports since"), null=True, editable=False)

    class Meta:
        verbose_name = _("task state")
        verbose_name_plural = _("task states")
        # The ledger's schedule-status filter and its count: a bucket's tasks without
        # reading the others. The sweep changes a task's bucket rarely (it rewrites the
        # run of missed reports far more often, which this index leaves alone).
        indexes = [models.Index(fields=["bucket", "task"], name="taskstate_bucket")]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.bucket or '-'}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead responsible unit")  # 主体/牵头责任单位
    COOP = "coop", _("Cooperating unit")  # 配合单位
    SUPERVISING = "supervising", _("Supervising unit")  # 督导单位
    COOP_SUPERVISING = "coop_supervising", _("Cooperating supervising unit")  # 配合督导单位


class TaskUnit(models.Model):
    """A unit's part in a task. A unit named through a collective reference
    ("领导小组各成员单位") keeps a pointer to the group it came through."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "ledger.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("part"), max_length=16, choices=AssignmentRole.choices)
    # The task's status, copied here by the services that change it, so that "the open
    # tasks of this district" is answered from this table's index alone.
    task_status = models.CharField(_("task status"), max_length=16, editable=False, default="")
    via_group = models.ForeignKey(
        "ledger.UnitGroup",
        verbose_name=_("named through group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "role"], name="taskunit_unique"),
        ]
        indexes = [
            models.Index(fields=["unit", "role", "task"], name="taskunit_unit_role"),
            models.Index(
                fields=["unit", "task_status", "role", "task"], name="taskunit_unit_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.task_status:
            self.task_status = Task.objects.values_list("status", flat=True).get(pk=self.task_id)
        super().save(*args, **kwargs)


class PersonRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible person")  # 责任人
    SUPERVISING_LEADER = "supervising_leader", _("Supervising leader")  # 督导/牵头市级领导
    RESPONSIBLE_LEADER = "responsible_leader", _("Responsible leader")  # 责任领导


class TaskPerson(models.Model):
    """A responsible person (责任人). Plans mostly name a post, not a person:
    "市环保局主要负责人" is stored as text with the unit and the post ("主要负责人")."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="persons"
    )
    role = models.CharField(_("part"), max_length=20, choices=PersonRole.choices)
    text = models.CharField(_("as written"), max_length=200)
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.CharField(_("post"), max_length=60, blank=True)
    name = models.CharField(_("person's name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsible persons")

    def __str__(self) -> str:
        return self.text


class Milestone(models.Model):
    """A step on the way to the deadline (倒排进度): expected progress by a date."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="milestones"
    )
    seq = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    due_date = models.DateField(_("due date"))
    expected_progress = models.PositiveSmallIntegerField(_("expected progress (%)"))
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["task", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["task", "seq"], name="milestone_unique_seq"),
            models.CheckConstraint(
                condition=models.Q(expected_progress__lte=100), name="milestone_progress_le_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title
