"""The subscriptions' tests: the real SMTP server of the notifications' tests (the same
fixtures), and the PDFs stored under a temporary MEDIA_ROOT."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from enlace.notifications.tests.conftest import smtp_port, smtp_server  # noqa: F401 (fixtures)

SV = ZoneInfo("America/El_Salvador")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A local moment in El Salvador."""
    return datetime.combine(day, time(hour, minute), SV)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
