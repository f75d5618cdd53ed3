"""Third-party apps as Enlace's administrators read them: in their language.

The database task queue (django-tasks-db) names its app and its admin's columns in English,
outside any catalogue; these subclasses give them names that Enlace's catalogue translates. The
app keeps its label, so its tables and migrations are the same."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks_db.apps import TasksAppConfig

# The queue's own translatable strings (its models' fields and statuses), listed here so that
# `make messages` keeps them in Enlace's catalogue.
THIRD_PARTY_STRINGS = (
    _("status"),
    _("enqueued at"),
    _("started at"),
    _("finished at"),
    _("priority"),
    _("queue name"),
    _("task path"),
    _("backend name"),
    _("run after"),
    _("return value"),
    _("exception class path"),
    _("traceback"),
    _("worker id"),
    _("args kwargs"),
    _("Task Result"),
    _("Task Results"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)


class TaskQueueConfig(TasksAppConfig):
    verbose_name = _("Task queue")  # type: ignore[assignment]  # a lazy string, as Django allows

    def ready(self) -> None:
        super().ready()
        from django_tasks_db.admin import DBTaskResultAdmin
        from django_tasks_db.models import DBTaskResult

        class TaskResultAdmin(DBTaskResultAdmin):
            list_display = (
                "id",
                "name",
                "status",
                "enqueued_at",
                "started_at",
                "finished_at",
                "priority",
                "queue_name",
            )

            @admin.display(description=_("task"))
            def name(self, obj: Any) -> str:
                return str(obj.task_name)

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
        admin.site.register(DBTaskResult, TaskResultAdmin)
