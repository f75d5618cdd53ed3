"""An import started from the web: the uploaded file, its progress and its outcome. The rows
themselves become cases through `enlace/imports/actions.py`, as from the command line."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Nothing imported: the file has errors")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    skip_invalid = models.BooleanField(_("import the valid rows, skip the invalid ones"))
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    phase = models.CharField(max_length=10, blank=True)
    done = models.BigIntegerField(default=0)  # progress units (bytes or rows) read so far
    total = models.BigIntegerField(default=0)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    imported = models.PositiveIntegerField(_("cases imported"), default=0)
    already_imported = models.PositiveIntegerField(_("already imported"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # The first problems as [line, column, reason]; every one is in `rejected_file`.
    problems = models.JSONField(default=list, blank=True)
    rejected_file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    message = models.TextField(blank=True)
    # When the sweeper last handed the job, still queued, back to the queue (jobs.py): the
    # next hand-back waits the grace from then, not from `created_at`.
    requeued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_user_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.DONE, JobStatus.REJECTED):
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status not in (JobStatus.QUEUED, JobStatus.RUNNING)
