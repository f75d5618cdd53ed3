"""The rules of one imported row: the file's columns, and how a row of text (or of spreadsheet
cells) becomes the values of a case, or a list of reasons naming the column at fault.

`RowRules` reads the catalogues and the directory once, into dictionaries keyed by folded code
and name, so validating a row touches no database: a million rows cost a million dictionary
lookups, not a million queries.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case
from enlace.cases.rules import (
    fold,
    new_case_problems,
    new_tracking_code,
    normalise_dui,
    normalise_phone,
    search_text,
)
from enlace.catalogues.models import CatalogueEntry, Channel, InquiryTopic, Limitante, OpinionType
from enlace.core import dates
from enlace.core.tabular import Problem
from enlace.directory.models import Dependency

MAX_DESCRIPTION = 20_000
MAX_EXTERNAL_ID = Case._meta.get_field("external_id").max_length or 64
MAX_NAME = Case._meta.get_field("citizen_name").max_length or 200
# A historical case may be imported in any state a case can rest in; "merged" needs the case
# it was merged into, which a spreadsheet cannot name.
IMPORTABLE_STATUSES = [s for s in CaseStatus if s != CaseStatus.MERGED]
FINAL = {CaseStatus.CLOSED, CaseStatus.VOID}


class Column(NamedTuple):
    """A column of the import's file: its name (the header, a file format: not translated),
    whether a row must fill it, what it holds, an example value, the kinds of case it applies
    to, and the values it accepts where they are a closed list. The import page explains the
    file from these, and the template's example row is made of their examples."""

    name: str
    required: StrOrPromise
    holds: StrOrPromise
    example: str
    kinds: tuple[str, ...] = (CaseKind.OPINION, CaseKind.INQUIRY)
    choices: tuple[Any, ...] = ()
    limit: int = 0  # the most characters it holds, where `holds` says so (%(n)s)

    def explanation(self) -> str:
        """What the column holds, in the active language."""
        return str(self.holds) % {"n": self.limit} if self.limit else str(self.holds)

    def accepted(self) -> list[tuple[str, str]]:
        """Its closed list of values: (the value, its name in the active language)."""
        return [(str(choice.value), str(choice.label)) for choice in self.choices]


SPEC: tuple[Column, ...] = (
    Column(
        "external_id",
        gettext_lazy("Yes"),
        gettext_lazy(
            "Your key for the case in the register it comes from, at most %(n)s characters: "
            "importing the same key again never duplicates the case."
        ),
        "HIST-2016-000001",
        limit=MAX_EXTERNAL_ID,
    ),
    Column(
        "received_at",
        gettext_lazy("Yes"),
        gettext_lazy(
            "When the case was received: YYYY-MM-DD or YYYY-MM-DDTHH:MM, local time of El "
            "Salvador (a spreadsheet's date cell too); never in the future. A date alone is "
            "the start of that day."
        ),
        "2016-01-05T08:30",
    ),
    Column(
        "kind",
        gettext_lazy("Yes"),
        gettext_lazy("Whether the case is an opinion or an inquiry: its code or its name."),
        CaseKind.OPINION.value,
        choices=tuple(CaseKind),
    ),
    Column(
        "opinion_type",
        gettext_lazy("For an opinion"),
        gettext_lazy(
            "The type of the opinion (reclamo, queja, sugerencia...): the code or the name of "
            "an entry of the catalogue of opinion types. An inquiry leaves it empty."
        ),
        "reclamo",
        kinds=(CaseKind.OPINION,),
    ),
    Column(
        "channel",
        gettext_lazy("Yes"),
        gettext_lazy(
            "The channel the case came by: the code or the name of an entry of the catalogue "
            "of channels."
        ),
        "llamada_127",
    ),
    Column(
        "dependency_code",
        gettext_lazy("No"),
        gettext_lazy(
            "The centre the case is about: the code or the name of a centre of the directory. "
            "Old registers may lack it."
        ),
        "HG",
    ),
    Column(
        "limitante",
        gettext_lazy("No"),
        gettext_lazy(
            "For an opinion, what caused it: the code or the name of an entry of the catalogue "
            "of limitantes. An inquiry leaves it empty."
        ),
        "tiempo_espera",
        kinds=(CaseKind.OPINION,),
    ),
    Column(
        "topic",
        gettext_lazy("No"),
        gettext_lazy(
            "For an inquiry, what it asked about: the code or the name of an entry of the "
            "catalogue of inquiry topics. An opinion leaves it empty."
        ),
        "horarios",
        kinds=(CaseKind.INQUIRY,),
    ),
    Column(
        "status",
        gettext_lazy("No"),
        gettext_lazy(
            "The state the case is in: its code or its name. Empty, the case is closed if "
            "closed_at has a date, and received otherwise."
        ),
        CaseStatus.CLOSED.value,
        choices=tuple(IMPORTABLE_STATUSES),
    ),
    Column(
        "closed_at",
        gettext_lazy("For a closed or void case"),
        gettext_lazy(
            "When the case was closed, written as received_at (a date alone is that day); not "
            "before it was received. An open case leaves it empty."
        ),
        "2016-01-12",
    ),
    Column(
        "description",
        gettext_lazy("No"),
        gettext_lazy("What the citizen said, at most %(n)s characters."),
        "Esperó cuatro horas en la consulta externa.",
        limit=MAX_DESCRIPTION,
    ),
    Column(
        "citizen_name",
        gettext_lazy("No"),
        gettext_lazy("The citizen's name, at most %(n)s characters."),
        "Juana Pérez",
        limit=MAX_NAME,
    ),
    Column(
        "citizen_dui",
        gettext_lazy("No"),
        gettext_lazy(
            "The citizen's DUI: eight digits, a dash and the check digit (a number that lost "
            "its leading zero in a spreadsheet is completed)."
        ),
        "01234567-8",
    ),
    Column(
        "citizen_phone",
        gettext_lazy("No"),
        gettext_lazy("The citizen's phone number in El Salvador: eight digits, 2, 6 or 7 first."),
        "7123-4567",
    ),
    Column(
        "citizen_email",
        gettext_lazy("No"),
        gettext_lazy("The citizen's e-mail address."),
        "juana.perez@example.com",
    ),
)
# The header of the file, in its order.
COLUMNS = tuple(column.name for column in SPEC)


class StagedRow(NamedTuple):
    """A valid row, as the staging table holds it."""

    line: int
    external_id: str
    kind: str
    status: str
    channel_id: int
    opinion_type_id: int | None
    topic_id: int | None
    limitante_id: int | None
    dependency_id: int | None
    level_of_care: str
    received_at: datetime
    closed_at: datetime | None
    description: str
    citizen_name: str
    citizen_dui: str
    citizen_phone: str
    citizen_email: str
    tracking_code: str
    search_text: str


def _index(entries: list[tuple[int, str, str]]) -> dict[str, int]:
    """Code or name (folded) -> id. Codes win over a name that happens to equal another code."""
    found: dict[str, int] = {}
    for pk, _code, name in entries:
        found.setdefault(fold(name).strip(), pk)
    for pk, code, _name in entries:
        found[fold(code).strip()] = pk
    return found


def _catalogue(model: type[CatalogueEntry]) -> dict[str, int]:
    rows = model._default_manager.filter(is_active=True).values_list("pk", "code", "name")
    return _index(list(rows))


def _choice_index(choices: list[Any]) -> dict[str, str]:
    """A TextChoices' values and labels, English and Spanish, folded -> value."""
    found = {fold(str(c.value)): str(c.value) for c in choices}
    for language in ("en", "es"):
        with translation.override(language):
            found.update({fold(str(c.label)): str(c.value) for c in choices})
    return found


# The column of the file that holds a field of the case, where the names differ.
COLUMN_OF = {"dependency": "dependency_code"}


class RowRules:
    """Validates rows against the catalogues and directory as they are now."""

    def __init__(self, *, now: datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.channels = _catalogue(Channel)
        self.types = _catalogue(OpinionType)
        self.topics = _catalogue(InquiryTopic)
        self.limitantes = _catalogue(Limitante)
        centres = list(
            Dependency.objects.active().values_list("id", "code", "name", "level_of_care")
        )
        self.dependencies = _index([(pk, code, name) for pk, code, name, _level in centres])
        self.levels = {pk: level for pk, _code, _name, level in centres}
        self.kinds = _choice_index(list(CaseKind)) | {"opinion": "opinion", "inquiry": "consulta"}
        self.statuses = _choice_index(IMPORTABLE_STATUSES)
        self.email = EmailValidator()

    def check(self, line: int, values: dict[str, Any]) -> StagedRow | list[Problem]:
        problems: list[Problem] = []

        def problem(column: str, reason: str) -> None:
            problems.append(Problem(line, column, reason))

        if "__problem__" in values:  # the reader could not split the line into the columns
            return [Problem(line, "", str(values["__problem__"]))]
        text = {name: cell_text(values.get(name)) for name in COLUMNS}
        external_id = text["external_id"]
        if not external_id:
            problem("external_id", _("It is required: it is how a re-import finds the case."))
        elif len(external_id) > MAX_EXTERNAL_ID:
            problem("external_id", _("At most %(n)s characters.") % {"n": MAX_EXTERNAL_ID})

        kind = self.kinds.get(fold(text["kind"]))
        if kind is None:
            problem("kind", _("It must be “opinion” or “consulta”."))

        received_at = self._moment(values.get("received_at"), "received_at", problem)
        if received_at is None and not text["received_at"]:
            problem("received_at", _("It is required."))

        channel_id = self._lookup(self.channels, text["channel"], "channel", problem)
        if channel_id is None and not text["channel"]:
            problem("channel", _("It is required."))
        type_id = self._lookup(self.types, text["opinion_type"], "opinion_type", problem)
        topic_id = self._lookup(self.topics, text["topic"], "topic", problem)
        limitante_id = self._lookup(self.limitantes, text["limitante"], "limitante", problem)
        dependency_id = self._lookup(
            self.dependencies, text["dependency_code"], "dependency_code", problem
        )
        if kind is not None:
            # What a case needs, by the cases' own rule (a value given but not found in the
            # catalogue was told above, by its column).
            for field, reason in new_case_problems(
                kind,
                opinion_type=bool(text["opinion_type"]),
                dependency=bool(text["dependency_code"]),
                topic=bool(text["topic"]),
                limitante=bool(text["limitante"]),
                description=text["description"],
                historical=True,
            ):
                problem(COLUMN_OF.get(field, field), reason)

        closed_at = self._moment(values.get("closed_at"), "closed_at", problem, late=True)
        status = self.statuses.get(fold(text["status"])) if text["status"] else None
        if text["status"] and status is None:
            problem("status", _("“%(value)s” is not a status.") % {"value": text["status"]})
        if status is None and not text["status"]:
            status = CaseStatus.CLOSED if text["closed_at"] else CaseStatus.RECEIVED
        if received_at and closed_at:
            same_day = closed_at.date() == received_at.date()
            if same_day and _is_date_only(values.get("closed_at")):
                closed_at = max(closed_at, received_at)  # closed that day, the hour unrecorded
            if closed_at < received_at:
                problem("closed_at", _("The case cannot close before it was received."))
        if status in FINAL and not text["closed_at"]:
            problem("closed_at", _("A closed case needs the date it closed."))
        if status and status not in FINAL and text["closed_at"]:
            problem("closed_at", _("An open case has no closing date."))

        description = text["description"]
        if len(description) > MAX_DESCRIPTION:
            problem("description", _("At most %(n)s characters.") % {"n": MAX_DESCRIPTION})
        name = text["citizen_name"]
        if len(name) > MAX_NAME:
            problem("citizen_name", _("At most %(n)s characters.") % {"n": MAX_NAME})
        if text["citizen_dui"].isdigit():  # a spreadsheet's number lost the leading zero
            text["citizen_dui"] = text["citizen_dui"].zfill(9)
        dui = self._person(text["citizen_dui"], normalise_dui, "citizen_dui", problem)
        phone = self._person(text["citizen_phone"], normalise_phone, "citizen_phone", problem)
        email = self._person(text["citizen_email"], self._email, "citizen_email", problem)

        if problems:
            return problems
        # The checks above ensure these; the asserts tell the type checker.
        assert kind is not None
        assert status is not None
        assert channel_id is not None
        assert received_at is not None
        return StagedRow(
            line=line,
            external_id=external_id,
            kind=kind,
            status=status,
            channel_id=channel_id,
            opinion_type_id=type_id if kind == CaseKind.OPINION else None,
            topic_id=topic_id if kind == CaseKind.INQUIRY else None,
            limitante_id=limitante_id if kind == CaseKind.OPINION else None,
            dependency_id=dependency_id,
            level_of_care=self.levels.get(dependency_id, "") if dependency_id else "",
            received_at=received_at,
            closed_at=closed_at if status in FINAL else None,
            description=description,
            citizen_name=name,
            citizen_dui=dui,
            citizen_phone=phone,
            citizen_email=email,
            tracking_code=new_tracking_code(),
            search_text=search_text(name, description),
        )

    # --- one column each ---------------------------------------------------------------------
    def _lookup(self, index: dict[str, int], value: str, column: str, problem: Any) -> int | None:
        if not value:
            return None
        found = index.get(fold(value))
        if found is None:
            problem(column, _("“%(value)s” is not in the catalogue.") % {"value": value})
        return found

    def _moment(
        self, value: Any, column: str, problem: Any, *, late: bool = False
    ) -> datetime | None:
        """ISO 8601 date or date-time (or a spreadsheet's date cell); without an offset it is
        local time. A date alone is the start of that day."""
        if value is None or value == "":
            return None
        try:
            moment = _parse_moment(value)
        except ValueError:
            problem(
                column,
                _("“%(value)s” is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM).")
                % {"value": cell_text(value)},
            )
            return None
        if not dates.in_range(moment):
            problem(column, str(dates.OUT_OF_RANGE))
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        if moment > self.now:
            problem(column, _("The date is in the future."))
            return None
        return moment

    def _person(self, value: str, normalise: Any, column: str, problem: Any) -> str:
        if not value:
            return ""
        try:
            return str(normalise(value))
        except ValidationError as error:
            problem(column, " ".join(error.messages))
            return ""

    def _email(self, value: str) -> str:
        self.email(value)
        return value


def cell_text(value: Any) -> str:
    """A cell as text: numbers as digits (a DUI typed as a number lost its leading zero, so
    callers see the digits), dates in ISO form, None as empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _is_date_only(value: Any) -> bool:
    if isinstance(value, datetime):
        return value.time() == time.min
    return isinstance(value, date) or len(str(value).strip()) == 10


def _parse_moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.min)
    text = str(value).strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time.min)
    return datetime.fromisoformat(text)
