"""Demo calls for `make run`: the last 30 days of the call centre's line 127 for the demo agents
(agente, agente2, agente3 and, taking fewer calls, the supervisor), so the call log, the
figures (/llamadas/indicadores/) and the wall board have something real-looking to show; and
the call centre's targets, so each figure is judged against one.

The calls are `Call` rows as the PBX's CTI events make them (enlace/channels/cti), written in
bulk from a seeded random generator: more calls on weekdays, busy mornings and early
afternoons (where callers wait longer), a line open on Saturday mornings and closed on
Sundays; waits and callers' patience drawn so that most calls are answered within the service
level, some are abandoned (a few within seconds: short abandons); talk times of a few minutes;
most calls wrapped up within a minute of the hangup. A call answered as an inquiry is linked to
a demo inquiry received by the call centre that day, when there is one left, so first-contact
resolution has figures. Only calls already over (for longer than an agent's console shows one
to wrap up) are made: none pops up on a demo agent's console.

Safe to run again: once the demo calls are there (their PBX ids start with "demo-"), nothing is
added; targets are set only when there are none.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from enlace.accounts.models import User
from enlace.callcentre.models import Better, Call, Indicator, IndicatorTarget, WrapUp
from enlace.callcentre.queries import WRAP_UP_WINDOW
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case

PREFIX = "demo-"
DAYS = 30
# Who answers, and how much: the supervisor takes the overflow.
AGENTS = {"agente": 3.0, "agente2": 3.0, "agente3": 2.5, "supervisor": 1.0}
WEEKDAY_CALLS = 115
SATURDAY_CALLS = 35
# Calls by hour of the day (local time): a morning peak, a dip at lunch, a second peak.
WEEKDAY_HOURS = {
    7: 5, 8: 10, 9: 13, 10: 12, 11: 9, 12: 5, 13: 7, 14: 9, 15: 8, 16: 6, 17: 4, 18: 2,
}  # fmt: skip
SATURDAY_HOURS = {8: 4, 9: 5, 10: 5, 11: 3}
BUSY_HOURS = frozenset({9, 10, 14})  # callers wait longer
WAIT_SECONDS = 11.0  # mean wait to be answered
BUSY_WAIT_SECONDS = 24.0
PATIENCE_SECONDS = 170.0  # mean time a caller waits before hanging up
HASTY = 0.025  # callers who hang up within seconds (a wrong number, a change of mind)
WRAPPED_UP = 0.9
WRAP_UPS = {
    WrapUp.INQUIRY_ANSWERED: 62,
    WrapUp.OPINION_REGISTERED: 20,
    WrapUp.TRANSFERRED: 8,
    WrapUp.DROPPED: 3,
    WrapUp.WRONG_NUMBER: 3,
    WrapUp.OTHER: 4,
}
TARGETS = {
    Indicator.SERVICE_LEVEL: ("80", Better.HIGHER),
    Indicator.ABANDON_RATE: ("8", Better.LOWER),
    Indicator.ASA: ("20", Better.LOWER),
    Indicator.AHT: ("270", Better.LOWER),
    Indicator.FIRST_CONTACT_RESOLUTION: ("85", Better.HIGHER),
    Indicator.QUALITY_SCORE: ("85", Better.HIGHER),
}


@dataclass(frozen=True)
class SeededCalls:
    calls: int
    linked: int
    targets: int

    def line(self) -> str:
        if not self.calls and not self.targets:
            return "Demo calls: already there, none added."
        return (
            f"Demo calls: {self.calls} in the last {DAYS} days ({self.linked} linked to their "
            f"inquiry); {self.targets} call-centre targets."
        )


def _inquiries_by_day(start: datetime) -> dict[date, list[int]]:
    """The call centre's demo inquiries since `start`, by local day of receipt (one query)."""
    found: dict[date, list[int]] = defaultdict(list)
    for pk, received_at in Case.objects.filter(
        kind=CaseKind.INQUIRY, channel__code="llamada_127", received_at__gte=start
    ).values_list("pk", "received_at"):
        found[timezone.localdate(received_at)].append(pk)
    return found


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=round(value, 1))


def seed_calls(*, now: datetime | None = None, seed: int = 2016) -> SeededCalls:
    now = now or timezone.now()
    # The calls made are over, and longer ago than an agent's console shows a call to wrap up.
    latest = now - WRAP_UP_WINDOW
    today = timezone.localdate(now)
    first_day = today - timedelta(days=DAYS - 1)
    targets = _seed_targets(first_day)
    if Call.objects.filter(pbx_call_id__startswith=PREFIX).exists():
        return SeededCalls(0, 0, targets)
    users = {user.username: user for user in User.objects.filter(username__in=AGENTS)}
    if not users:
        return SeededCalls(0, 0, targets)
    rng = random.Random(seed)
    zone = timezone.get_default_timezone()
    names = [name for name in AGENTS if name in users]
    weights = [AGENTS[name] for name in names]
    codes, code_weights = list(WRAP_UPS), list(WRAP_UPS.values())
    inquiries = _inquiries_by_day(datetime.combine(first_day, time.min, zone))
    calls: list[Call] = []
    linked = 0
    for offset in range(DAYS):
        day = first_day + timedelta(days=offset)
        if day.weekday() == 6:
            continue  # the line is closed on Sundays
        saturday = day.weekday() == 5
        hours = SATURDAY_HOURS if saturday else WEEKDAY_HOURS
        volume = SATURDAY_CALLS if saturday else WEEKDAY_CALLS
        volume = round(volume * rng.uniform(0.8, 1.2) * (1.2 if day.weekday() == 0 else 1))
        day_inquiries = inquiries.get(day, [])
        for n in range(volume):
            hour = rng.choices(list(hours), weights=list(hours.values()))[0]
            started = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), zone)
            wait = rng.expovariate(1 / (BUSY_WAIT_SECONDS if hour in BUSY_HOURS else WAIT_SECONDS))
            patience = (
                rng.uniform(1, 5) if rng.random() < HASTY else rng.expovariate(1 / PATIENCE_SECONDS)
            )
            call = Call(
                pbx_call_id=f"{PREFIX}{day.isoformat()}-{n:04d}",
                caller=f"+503{rng.choice('267')}{rng.randint(0, 9_999_999):07d}",
                started_at=started,
            )
            if patience < wait:  # abandoned in the queue
                call.ended_at = started + _seconds(patience)
            else:
                call.answered_at = started + _seconds(wait)
                call.agent = users[rng.choices(names, weights=weights)[0]]
                call.ended_at = call.answered_at + _seconds(rng.lognormvariate(5.2, 0.45))
                if rng.random() < WRAPPED_UP:
                    call.wrap_up = rng.choices(codes, weights=code_weights)[0]
                    call.wrapped_up_at = call.ended_at + _seconds(rng.uniform(4, 75))
            if (call.wrapped_up_at or call.ended_at) > latest:
                continue  # not over yet: it would pop up on an agent's console
            if call.wrap_up == WrapUp.INQUIRY_ANSWERED and day_inquiries:
                call.case_id = day_inquiries.pop()
                linked += 1
            calls.append(call)
    Call.objects.bulk_create(calls, batch_size=1000)
    return SeededCalls(len(calls), linked, targets)


def _seed_targets(valid_from: date) -> int:
    """The call centre's usual targets, from the first demo day, when none are set."""
    if IndicatorTarget.objects.exists():
        return 0
    supervisor = User.objects.filter(username="supervisor").first()
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(
            indicator=indicator,
            target=Decimal(target),
            better=better,
            valid_from=valid_from,
            set_by=supervisor,
        )
        for indicator, (target, better) in TARGETS.items()
    )
    return len(TARGETS)
