"""The administration speaks Enlace's language: its titles, and the task queue's app, columns and
statuses (a third-party app whose own names are in English)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_administration_and_its_task_queue_are_in_spanish(admin_user, client_for):
    client = client_for(admin_user)
    index = client.get("/admin/", headers={"accept-language": "es"}).content.decode()
    assert "Administración de Django" not in index
    assert "Administración de Enlace" in index
    assert "Cola de tareas" in index
    assert "Tasks Database Backend" not in index
    tasks = client.get(
        "/admin/django_tasks_database/dbtaskresult/", headers={"accept-language": "es"}
    ).content.decode()
    assert "Tarea" in tasks
    assert "task name" not in tasks.lower()
    assert "Lista" in tasks  # the status filter's "Ready"
