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


def test_permissions_search_and_queues_are_in_spanish(admin_user, client_for):
    """Django names the permissions in English when it creates them ("Can add case"): the
    user's and the group's pages name them in the reader's language. The search box's label is
    translated (Django's own template has it in English), and the RQ dashboard (English only)
    is not offered where the queue is the database's."""
    client = client_for(admin_user)
    es = {"accept-language": "es"}
    user_page = client.get(f"/admin/accounts/user/{admin_user.pk}/change/", headers=es)
    group_page = client.get("/admin/auth/group/add/", headers=es)
    for page in (user_page.content.decode(), group_page.content.decode()):
        assert "| Can add case<" not in page
        assert "Casos | caso | " in page  # the model's Spanish name, in the permission too
    users = client.get("/admin/accounts/user/", headers=es).content.decode()
    assert 'alt="Buscar"' in users
    assert 'alt="Search"' not in users
    index = client.get("/admin/", headers=es).content.decode()
    assert "Django-RQ" not in index
    assert "/admin/otp_totp/" not in index  # second factors are managed in Enlace's own pages
