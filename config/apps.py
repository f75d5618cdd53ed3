"""Third-party apps as Enlace's administrators read them: in their language.

The database task queue (django-tasks-db) names its app and its admin's columns in English,
outside any catalogue; these subclasses give them names that Enlace's catalogue translates. The
app keeps its label, so its tables and migrations are the same. Other apps that mark their
strings for translation but ship no Spanish (django-axes) are translated by Enlace's catalogue:
their strings are listed below so that `make messages` keeps them."""

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
    # django-axes (login throttling): its models, fields and admin, without a Spanish catalogue.
    _("access attempt"),
    _("access attempts"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("Access Attempt"),
    _("Access lock out"),
    _("Attempt Remaining"),
    _("Attempt Time"),
    _("Clean up expired attempts"),
    _("Expires At"),
    _("Failed Logins"),
    _("Form Data"),
    _("GET Data"),
    _("HTTP Accept"),
    _("IP Address"),
    _("Locked Out"),
    _("Logout Time"),
    _("Meta Data"),
    _("Not set"),
    _("POST Data"),
    _("Path"),
    _("Session key hash (sha256)"),
    _("The time when access attempt expires and is no longer valid."),
    _("User Agent"),
    _("Username"),
    # django-rq's one permission, shown by name in the administration's permission lists.
    _("Access admin page"),
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
