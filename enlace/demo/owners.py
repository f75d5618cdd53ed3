"""Demo owners for `make run`: the open cases of the two demo centres are their liaisons' (the
Hospital General's to `enlace.hg`, Zacamil's to `enlace.zacamil`), and a third of the
others the resolution section's `resolucion`, so "Mis casos" and the queue's tabs have
something to show for each. Most are given in bulk, with the history row an action would
write (a bulk load tells nobody, as the import's). Three are given through the action itself
and one internal note mentions `@enlace.hg`, so the liaison's bell rings on `make run`.

Safe to run again: once any case has an owner, nothing is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from enlace.accounts.models import User
from enlace.cases import actions
from enlace.cases.lifecycle import OPEN_STATUSES
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.cases.permissions import untriaged_denuncias_of_anyone

LIAISONS = {"HG": "enlace.hg", "UM-ZAC": "enlace.zacamil"}
RESOLUTION = "resolucion"
TOLD = 3  # given through the action: alerts and e-mails as in real work


@dataclass(frozen=True)
class SeededOwners:
    given: int
    told: int

    def line(self) -> str:
        if not self.given and not self.told:
            return "Demo owners: cases already have owners, none given."
        return (
            f"Demo owners: {self.given + self.told} open cases given to their centres' liaisons "
            f"and to {RESOLUTION} ({self.told} through the action, with their alerts), one note "
            "mentioning @enlace.hg."
        )


def _label(user: User) -> str:
    return user.get_full_name() or user.username


def seed_owners() -> SeededOwners:
    if Case.objects.filter(owner__isnull=False).exists():
        return SeededOwners(0, 0)
    names = [*LIAISONS.values(), RESOLUTION]
    people = {user.username: user for user in User.objects.filter(username__in=names)}
    resolution = people.get(RESOLUTION)
    if resolution is None:
        return SeededOwners(0, 0)
    open_cases = list(
        Case.objects.filter(status__in=sorted(OPEN_STATUSES), merged_into__isnull=True)
        .select_related("dependency")
        .order_by("received_at", "id")
    )
    # An aviso de denuncia not yet triaged is not its centre's to see, let alone to own.
    hidden = set(Case.objects.filter(untriaged_denuncias_of_anyone()).values_list("pk", flat=True))
    chosen: list[tuple[Case, User]] = []
    for number, case in enumerate(open_cases):
        code = case.dependency.code if case.dependency and case.pk not in hidden else ""
        owner = people.get(LIAISONS.get(code, ""))
        if owner is None and number % 3 == 0:
            owner = resolution
        if owner is not None:
            chosen.append((case, owner))
    told, rest = chosen[:TOLD], chosen[TOLD:]
    now = timezone.now()
    with transaction.atomic():
        for case, owner in rest:
            Case.objects.filter(pk=case.pk).update(owner=owner)
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case=case,
                kind=EventKind.OWNER_SET,
                actor=resolution,
                at=now,
                changes={"owner": {"from": "", "to": _label(owner)}},
            )
            for case, owner in rest
        )
        for case, owner in told:
            actions.do_set_owner(case, owner, acting_user=resolution)
        hg_case = next((case for case, owner in chosen if owner.username == "enlace.hg"), None)
        if hg_case is not None:
            actions.do_add_comment(
                hg_case,
                "@enlace.hg ¿pueden confirmar con farmacia si ya llegó el medicamento?",
                acting_user=resolution,
            )
    return SeededOwners(len(rest), len(told))
