"""Campaigns for the tests, through the real actions."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from enlace.accounts.models import User
from enlace.campaigns import actions, rules
from enlace.campaigns.models import Campaign, Purpose
from enlace.core.tabular import header_check, open_source

# A Wednesday inside every test campaign's period (they run around today, and since 2026).
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("America/El_Salvador"))
# Every day, all day: tests choose the moment with `now=` or the clock.
ALWAYS = tuple(rules.Window(day, time(0, 0), time(23, 59)) for day in range(7))


def campaign(
    user: User,
    *,
    purpose: str = Purpose.APPOINTMENT_CONFIRMATION,
    starts_on: date | None = None,
    ends_on: date | None = None,
    windows: tuple[rules.Window, ...] = ALWAYS,
    agents: tuple[User, ...] = (),
    **extra: object,
) -> Campaign:
    # Around today, whenever the tests run; the tests' fixed moments (2026) lie within.
    today = timezone.localdate()
    return actions.do_save_campaign(
        actions.CampaignPlan(
            name="Confirmación de citas de Hospital General",
            purpose=purpose,
            starts_on=starts_on or min(today, date(2026, 11, 2)),
            ends_on=ends_on or max(today, date(2026, 12, 31)) + timedelta(days=60),
            script="Buen día, {nombre}. Le llamamos del ISSS por su cita del {fecha_cita}.",
            windows=windows,
            agents=agents,
            **extra,  # type: ignore[arg-type]
        ),
        acting_user=user,
    )


def list_csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def import_text(campaign: Campaign, user: User, text: str, *, skip_invalid: bool = False):
    check = header_check(actions.REQUIRED_COLUMNS, actions.KNOWN_COLUMNS, extra=True)
    source = open_source(list_csv(text), "lista.csv", check)
    return actions.do_import_contacts(campaign, source, acting_user=user, skip_invalid=skip_invalid)
