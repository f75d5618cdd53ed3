"""Shared test fixtures: one persona per role, and a way to register cases.

The organisation and the catalogues are in every test database: migrate loads them
(enlace/directory/apps.py, enlace/catalogues/apps.py).

Personas: `agent` (call centre), `punto_seguro` (desk at Hospital General), `resolution`
(resolution section), `liaison` (Hospital General), `outsider` (liaison of another centre,
Unidad Médica Zacamil), `oir` (OIR officer), `analyst` (read-only), `admin`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from enlace.accounts.models import Role, User
from enlace.cases.actions import Citizen, NewCase, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
from enlace.directory.models import Dependency


def make_user(username: str, role: str, dependency_code: str | None = None, **extra: Any) -> User:
    dependency = Dependency.objects.get(code=dependency_code) if dependency_code else None
    return User.objects.create_user(
        username=username, password="secreto-de-prueba", role=role, dependency=dependency, **extra
    )


@pytest.fixture
def agent(db: None) -> User:
    return make_user("alicia", Role.AGENT, first_name="Alicia")


@pytest.fixture
def punto_seguro(db: None) -> User:
    return make_user("pablo", Role.PUNTO_SEGURO, "HG")


@pytest.fixture
def resolution(db: None) -> User:
    return make_user("rosa", Role.RESOLUTION)


@pytest.fixture
def liaison(db: None) -> User:
    return make_user("bruno", Role.LIAISON, "HG")


@pytest.fixture
def outsider(db: None) -> User:
    return make_user("carlos", Role.LIAISON, "UM-ZAC")


@pytest.fixture
def oir(db: None) -> User:
    return make_user("olga", Role.OIR_OFFICER)


@pytest.fixture
def analyst(db: None) -> User:
    return make_user("andres", Role.ANALYST)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("adela", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def make_case(db: None) -> Callable[..., Case]:
    """Register a case through the real action; keyword arguments override the defaults."""

    def make(kind: str = CaseKind.OPINION, *, by: User | None = None, **overrides: Any) -> Case:
        values: dict[str, Any] = {
            "kind": kind,
            "channel": Channel.objects.get(code=overrides.pop("channel", "llamada_127")),
            "description": "No hay medicamento en la farmacia",
        }
        if kind == CaseKind.OPINION:
            values["opinion_type"] = OpinionType.objects.get(code=overrides.pop("type", "reclamo"))
            values["dependency"] = Dependency.objects.get(code=overrides.pop("centre", "HG"))
            limitante = overrides.pop("limitante", "falta_medicamento")
            values["limitante"] = Limitante.objects.get(code=limitante) if limitante else None
        else:
            values["topic"] = InquiryTopic.objects.get(code=overrides.pop("topic", "horarios"))
            centre = overrides.pop("centre", None)
            values["dependency"] = Dependency.objects.get(code=centre) if centre else None
        citizen = overrides.pop("citizen", None)
        if citizen:
            values["citizen"] = Citizen(**citizen)
        values.update(overrides)
        case, _ = do_register_case(NewCase(**values), acting_user=by)
        return case

    return make
