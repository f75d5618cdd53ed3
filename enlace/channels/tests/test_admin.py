"""The channel records in the admin: readable by an administrator, never editable."""

import pytest

from enlace.channels.actions import do_receive_message
from enlace.channels.plugins import PLUGINS
from enlace.channels.tests.test_intake import Notebook


@pytest.fixture
def with_notebook():
    PLUGINS[Notebook.code] = Notebook()
    yield
    del PLUGINS[Notebook.code]


def test_an_administrator_reads_inbound_messages_and_cannot_change_them(
    db, client_for, admin_user, with_notebook
):
    message, _ = do_receive_message("notebook", "m-1", body="Hola")
    client = client_for(admin_user)
    assert client.get("/admin/channels/inboundmessage/").status_code == 200
    assert client.get(f"/admin/channels/inboundmessage/{message.pk}/change/").status_code == 200
    assert client.get("/admin/channels/inboundmessage/add/").status_code == 403
    assert client.post(f"/admin/channels/inboundmessage/{message.pk}/delete/").status_code == 403
    assert client.get("/admin/channels/outboundmessage/").status_code == 200
    assert client.get("/admin/channels/attachment/").status_code == 200


def test_other_roles_do_not_reach_the_admin(db, client_for, resolution):
    response = client_for(resolution).get("/admin/channels/inboundmessage/")
    assert response.status_code == 302
