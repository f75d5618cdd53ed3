"""What the apps that keep personal data tell data protection, from their `ready()`.

Data protection sits below the domains (the cases, the OIR, the call log, and every domain to
come: surveys, campaigns...), so it knows none of them: each registers a `Holder` that can find
a person's records by their identifiers, and correct or erase them; the apps that keep copies
tied to cases (messages sent and received, files, ratings) register an eraser run whenever
cases are anonymised; and each kind of record with a retention period registers how to find
the records whose time is up and how to anonymise them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Identifiers:
    """Who a person is, as Enlace stores it (normalised: DUI ########-#, phone E.164)."""

    dui: str = ""
    email: str = ""
    phone: str = ""

    def __bool__(self) -> bool:
        return bool(self.dui or self.email or self.phone)

    def described(self) -> str:
        return " / ".join(value for value in (self.dui, self.email, self.phone) if value)


@dataclass(frozen=True)
class Found:
    """One record of the person: what it is, and their data in it (labels to values)."""

    holder: str
    object_id: int
    reference: str  # what staff call it: a tracking code, a request's number
    when: datetime | None
    data: dict[str, str] = field(default_factory=dict)
    # The access log's column for it: "case", "information_request" or "" (logged by subject).
    logged_as: str = ""


@dataclass(frozen=True)
class Holder:
    code: str
    label: StrOrPromise
    find: Callable[[Identifiers], list[Found]]
    # The person's new identity (name, dui, email, phone: only those given) on these records;
    # how many were changed.
    rectify: Callable[[Sequence[int], dict[str, str], Any], int] | None = None
    # Anonymise these records (what the reports count stays); how many.
    cancel: Callable[[Sequence[int], Any], int] | None = None


@dataclass(frozen=True)
class RetentionKind:
    code: str
    label: StrOrPromise
    default_months: int
    # The records whose business ended before the cutoff and still hold personal data.
    due: Callable[[datetime], Any]
    # Anonymise (or delete) those of a batch of ids; how many.
    anonymise: Callable[[Sequence[int]], int]


HOLDERS: dict[str, Holder] = {}
CASE_ERASERS: list[Callable[[Sequence[int]], int]] = []
RETENTION: dict[str, RetentionKind] = {}


def register_holder(holder: Holder) -> None:
    HOLDERS[holder.code] = holder


def register_case_eraser(eraser: Callable[[Sequence[int]], int]) -> None:
    """`eraser(case_ids)` blanks what the app keeps of those cases' people (the e-mails sent,
    the messages received, the files, the ratings). Run with every anonymisation of cases."""
    if eraser not in CASE_ERASERS:
        CASE_ERASERS.append(eraser)


def erase_for_cases(case_ids: Sequence[int]) -> int:
    return sum(eraser(case_ids) for eraser in CASE_ERASERS)


def register_retention(kind: RetentionKind) -> None:
    RETENTION[kind.code] = kind


def find_everything(identifiers: Identifiers) -> list[tuple[Holder, list[Found]]]:
    """Everything about this person, holder by holder."""
    if not identifiers:
        return []
    return [(holder, holder.find(identifiers)) for holder in HOLDERS.values()]
