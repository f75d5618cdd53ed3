"""Every write of the participation mechanisms' records: events, their evidence, the accounts'
figures, the information media; and the imports of events (XLSX or CSV) and of figures (CSV).

Each import is all or nothing: every row is checked first, and a file with any problem stores
nothing and returns the problems, each naming its line and column."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.permissions import Capability, has_capability
from enlace.core import dates
from enlace.core.errors import BusinessError
from enlace.core.tabular import Problem, Source, TableFileError
from enlace.directory.models import DEPARTMENT_REGION, Department, Dependency, Municipality, Region
from enlace.participation.files import checked_evidence
from enlace.participation.models import (
    AUDIENCE_BANDS,
    AccountFigures,
    AudienceDimension,
    AudienceShare,
    EventCentre,
    EventEvidence,
    InformationMedium,
    Mechanism,
    ParticipationEvent,
    SocialAccount,
)
from enlace.participation.rules import fold, municipality_key

MAX_ROWS = 200_000  # an events file larger than this is split


def require(user: User) -> None:
    if not has_capability(user, Capability.MANAGE_PARTICIPATION):
        raise BusinessError(_("Your role does not keep the participation records."))


def _refuse(problems: list[tuple[str, str]]) -> None:
    """Every problem found, in one error (nothing is stored)."""
    if problems:
        raise BusinessError("; ".join(message for _field, message in problems))


@dataclass
class EventData:
    mechanism: Mechanism
    name: str
    starts_on: date
    ends_on: date
    municipality: Municipality
    venue: str = ""
    region: str = ""  # default: the zone of the municipality's department
    centres: list[Dependency] = field(default_factory=list)
    attendance: int | None = None
    services: int | None = None
    description: str = ""
    source: str = ""


def _event_problems(data: EventData) -> list[tuple[str, str]]:
    problems = []
    if not data.mechanism.has_events:
        problems.append(("mechanism", _("This mechanism is not counted by events.")))
    if not data.name.strip():
        problems.append(("name", _("Give the event a name.")))
    if data.ends_on < data.starts_on:
        problems.append(("ends_on", _("The event ends before it starts.")))
    if data.starts_on > timezone.localdate():
        problems.append(("starts_on", _("An event is recorded once it has taken place.")))
    if data.region and data.region not in Region.values:
        problems.append(("region", _("Unknown zone.")))
    return problems


def do_register_event(data: EventData, *, acting_user: User) -> ParticipationEvent:
    require(acting_user)
    _refuse(_event_problems(data))
    with transaction.atomic():
        event = ParticipationEvent.objects.create(
            created_by=acting_user, import_key="", **_event_values(data)
        )
        _set_centres(event, data.centres)
    return event


def do_update_event(
    event: ParticipationEvent, data: EventData, *, acting_user: User
) -> ParticipationEvent:
    require(acting_user)
    _refuse(_event_problems(data))
    with transaction.atomic():
        for name, value in _event_values(data).items():
            setattr(event, name, value)
        event.save()
        EventCentre.objects.filter(event=event).delete()
        _set_centres(event, data.centres)
    return event


def _event_values(data: EventData) -> dict[str, Any]:
    return {
        "mechanism": data.mechanism,
        "name": data.name.strip(),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "venue": data.venue.strip(),
        "municipality": data.municipality,
        "region": data.region or DEPARTMENT_REGION[data.municipality.department],
        "attendance": data.attendance,
        "services": data.services,
        "description": data.description.strip(),
        "source": data.source.strip(),
    }


def _set_centres(event: ParticipationEvent, centres: Iterable[Dependency]) -> None:
    EventCentre.objects.bulk_create(
        EventCentre(
            event=event,
            dependency=centre,
            mechanism_id=event.mechanism_id,
            starts_on=event.starts_on,
        )
        for centre in {c.pk: c for c in centres}.values()
    )


def do_delete_event(event: ParticipationEvent, *, acting_user: User) -> None:
    require(acting_user)
    with transaction.atomic():
        for evidence in event.evidence.all():
            evidence.file.delete(save=False)
        event.delete()


def do_add_evidence(
    event: ParticipationEvent, upload: UploadedFile[Any], *, acting_user: User
) -> EventEvidence:
    """A photo or document of the event: checked by its content (an image or a PDF)."""
    require(acting_user)
    content_type = checked_evidence(upload)
    return EventEvidence.objects.create(
        event=event,
        file=upload,
        name=(upload.name or "evidence")[:200],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=acting_user,
    )


# --- Import of events -------------------------------------------------------------------------
EVENT_COLUMNS = ("mecanismo", "nombre", "inicio", "municipio", "departamento")
EVENT_OPTIONAL = (
    *("fin", "lugar", "zona", "centros", "asistencia", "servicios", "descripcion", "fuente"),
)


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[Problem] = field(default_factory=list)


class _Refs:
    """The reference data rows are checked against, read once."""

    def __init__(self) -> None:
        self.mechanisms = {
            key: m for m in Mechanism.objects.all() for key in (fold(m.code), fold(m.name))
        }
        self.centres = {fold(d.code): d for d in Dependency.objects.all()}
        self.centres.update({fold(d.name): d for d in Dependency.objects.all()})
        self.municipalities: dict[tuple[str, str], Municipality] = {
            municipality_key(m.name, m.department): m for m in Municipality.objects.all()
        }
        self.departments = {fold(label): code for code, label in Department.choices}
        self.departments.update({fold(code): code for code in Department.values})
        self.regions = {fold(str(label)): code for code, label in Region.choices}
        self.regions.update({fold(code): code for code in Region.values})


def _cell(values: dict[str, Any], column: str) -> str:
    value = values.get(column)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(values: dict[str, Any], column: str) -> date:
    value = values.get(column)
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        text = _cell(values, column)
        parsed = _parse_date(text)
    if not dates.in_range(parsed):
        raise ValueError(_("The date is out of range."))
    return parsed


def _parse_date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Not a date (DD/MM/YYYY or YYYY-MM-DD)."))


def _count(values: dict[str, Any], column: str) -> int | None:
    text = _cell(values, column).replace(",", "").replace(" ", "")
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ValueError(_("Not a whole number."))
    return int(text)


def _event_rows(source: Source, refs: _Refs, report: ImportReport) -> Iterator[EventData]:
    seen: dict[str, int] = {}
    for line, values in source.rows():
        if "__problem__" in values:
            report.problems.append(Problem(line, "", str(values["__problem__"])))
            continue
        problems: list[Problem] = []

        def problem(
            column: str, reason: str, line: int = line, problems: list[Problem] = problems
        ) -> None:
            problems.append(Problem(line, column, reason))

        mechanism = refs.mechanisms.get(fold(_cell(values, "mecanismo")))
        if mechanism is None:
            problem("mecanismo", _("Unknown mechanism."))
        name = _cell(values, "nombre")
        if not name:
            problem("nombre", _("The event needs a name."))
        starts_on = ends_on = None
        try:
            starts_on = _date(values, "inicio")
        except ValueError as error:
            problem("inicio", str(error) if _cell(values, "inicio") else _("The date is missing."))
        try:
            ends_on = _date(values, "fin") if _cell(values, "fin") else starts_on
        except ValueError as error:
            problem("fin", str(error))
        department = refs.departments.get(fold(_cell(values, "departamento")))
        municipality = None
        if department is None:
            problem("departamento", _("Unknown department."))
        elif not _cell(values, "municipio"):
            problem("municipio", _("The place is missing."))
        else:
            municipality = refs.municipalities.get(
                municipality_key(_cell(values, "municipio"), department)
            )
            if municipality is None:
                problem("municipio", _("No such municipality in that department."))
        region = ""
        if _cell(values, "zona"):
            region = refs.regions.get(fold(_cell(values, "zona")), "")
            if not region:
                problem("zona", _("Unknown zone."))
        centres = []
        for code in _cell(values, "centros").replace(";", ",").split(","):
            if not code.strip():
                continue
            centre = refs.centres.get(fold(code))
            if centre is None:
                problem("centros", _("Unknown centre: %(code)s.") % {"code": code.strip()})
            else:
                centres.append(centre)
        numbers: dict[str, int | None] = {}
        for column in ("asistencia", "servicios"):
            try:
                numbers[column] = _count(values, column)
            except ValueError as error:
                problem(column, str(error))
        if mechanism and starts_on and ends_on and municipality and not problems:
            data = EventData(
                mechanism=mechanism,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                municipality=municipality,
                venue=_cell(values, "lugar"),
                region=region,
                centres=centres,
                attendance=numbers.get("asistencia"),
                services=numbers.get("servicios"),
                description=_cell(values, "descripcion"),
                source=_cell(values, "fuente"),
            )
            for column, message in _event_problems(data):
                problem({"ends_on": "fin", "starts_on": "inicio"}.get(column, column), message)
            key = event_key(data)
            if key in seen:
                problem(
                    "",
                    _("The same event as line %(line)s (mechanism, name, date and place).")
                    % {"line": seen[key]},
                )
            seen.setdefault(key, line)
            if not problems:
                yield data
        report.problems.extend(problems)


def event_key(data: EventData) -> str:
    """What makes an imported event the same as another: mechanism, name, first day and
    municipality (folded)."""
    return "|".join(
        [data.mechanism.code, fold(data.name), data.starts_on.isoformat(), data.municipality.code]
    )[:200]


def do_import_events(source: Source, *, acting_user: User) -> ImportReport:
    """All rows checked, then all stored, or none (the report's problems say why)."""
    require(acting_user)
    report = ImportReport()
    refs = _Refs()
    try:
        rows = list(_event_rows(source, refs, report))
    except TableFileError as error:
        report.problems = error.problems
        return report
    if len(rows) > MAX_ROWS:
        raise BusinessError(_("A file may hold at most %(n)s events.") % {"n": f"{MAX_ROWS:,}"})
    if not rows and not report.problems:
        report.problems.append(Problem(1, "", _("The file has no events.")))
    if report.problems:
        return report
    keys = {event_key(data): data for data in rows}
    already = set(
        ParticipationEvent.objects.filter(import_key__in=list(keys)).values_list(
            "import_key", flat=True
        )
    )
    if already:
        report.problems = [
            Problem(
                0,
                "",
                _("Already imported: %(name)s (%(day)s).")
                % {
                    "name": keys[key].name,
                    "day": keys[key].starts_on.strftime("%d/%m/%Y"),
                },
            )
            for key in sorted(already)[:50]
        ]
        return report
    try:
        with transaction.atomic():
            for start in range(0, len(rows), 2000):
                chunk = rows[start : start + 2000]
                events = ParticipationEvent.objects.bulk_create(
                    [
                        ParticipationEvent(
                            created_by=acting_user,
                            import_key=event_key(data),
                            **_event_values(data),
                        )
                        for data in chunk
                    ]
                )
                EventCentre.objects.bulk_create(
                    EventCentre(
                        event=event,
                        dependency=centre,
                        mechanism_id=event.mechanism_id,
                        starts_on=event.starts_on,
                    )
                    for event, data in zip(events, chunk, strict=True)
                    for centre in {c.pk: c for c in data.centres}.values()
                )
    except IntegrityError:
        # Another import of the same file at the same moment: nothing of this one is stored.
        report.problems = [Problem(0, "", _("These events were imported meanwhile."))]
        return report
    report.imported = len(rows)
    return report


# --- The accounts' figures --------------------------------------------------------------------
@dataclass
class FiguresData:
    account: SocialAccount
    on: date
    followers: int
    posts: int | None = None
    views: int | None = None
    interactions: int | None = None
    # {dimension: {band: percent}}
    audience: dict[str, dict[str, Decimal]] = field(default_factory=dict)


def _figures_problems(data: FiguresData) -> list[tuple[str, str]]:
    problems = []
    if data.on > timezone.localdate():
        problems.append(("on", _("Figures are recorded for a day that has passed.")))
    for dimension, bands in data.audience.items():
        known = AUDIENCE_BANDS.get(dimension, {})
        for band, percent in bands.items():
            if band not in known:
                problems.append((dimension, _("Unknown band: %(band)s.") % {"band": band}))
            if not Decimal(0) <= percent <= Decimal(100):
                problems.append((band, _("A share is between 0 and 100.")))
        if sum(bands.values(), Decimal(0)) > Decimal("100.5"):
            problems.append((dimension, _("The shares add up to more than 100.")))
    return problems


def do_record_figures(data: FiguresData, *, acting_user: User) -> AccountFigures:
    """An account's figures as of a day (replacing what that day had)."""
    require(acting_user)
    _refuse(_figures_problems(data))
    with transaction.atomic():
        figures, _created = AccountFigures.objects.update_or_create(
            account=data.account,
            on=data.on,
            defaults={
                "followers": data.followers,
                "posts": data.posts,
                "views": data.views,
                "interactions": data.interactions,
                "recorded_by": acting_user,
            },
        )
        figures.audience.all().delete()
        AudienceShare.objects.bulk_create(
            AudienceShare(figures=figures, dimension=dimension, band=band, percent=percent)
            for dimension, bands in data.audience.items()
            for band, percent in bands.items()
        )
    return figures


FIGURES_COLUMNS = ("cuenta", "fecha", "seguidores")
FIGURES_OPTIONAL = (
    "publicaciones",
    "visualizaciones",
    "interacciones",
    *AUDIENCE_BANDS[AudienceDimension.SEX],
    *AUDIENCE_BANDS[AudienceDimension.AGE],
)
BAND_COLUMNS = {"women": "mujeres", "men": "hombres"}


def figures_columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The CSV's required and optional columns (the sex bands in Spanish)."""
    optional = tuple(BAND_COLUMNS.get(c, c) for c in FIGURES_OPTIONAL)
    return FIGURES_COLUMNS, optional


def do_import_figures(source: Source, *, acting_user: User) -> ImportReport:
    """Monthly figures of the accounts from a CSV; all or nothing."""
    require(acting_user)
    report = ImportReport()
    accounts = {fold(a.handle): a for a in SocialAccount.objects.all()}
    rows: list[FiguresData] = []
    seen: dict[tuple[int, date], int] = {}
    try:
        for line, values in source.rows():
            if "__problem__" in values:
                report.problems.append(Problem(line, "", str(values["__problem__"])))
                continue
            problems: list[Problem] = []
            account = accounts.get(fold(_cell(values, "cuenta")))
            if account is None:
                problems.append(Problem(line, "cuenta", _("Unknown account.")))
            on = None
            try:
                on = _date(values, "fecha")
            except ValueError as error:
                problems.append(Problem(line, "fecha", str(error)))
            numbers: dict[str, int | None] = {}
            for column in ("seguidores", "publicaciones", "visualizaciones", "interacciones"):
                try:
                    numbers[column] = _count(values, column)
                except ValueError as error:
                    problems.append(Problem(line, column, str(error)))
            if numbers.get("seguidores") is None and "seguidores" not in {
                p.column for p in problems
            }:
                problems.append(Problem(line, "seguidores", _("The figure is missing.")))
            audience: dict[str, dict[str, Decimal]] = {}
            for dimension, bands in AUDIENCE_BANDS.items():
                for band in bands:
                    column = BAND_COLUMNS.get(band, band)
                    text = _cell(values, column).replace("%", "").replace(",", ".")
                    if not text:
                        continue
                    try:
                        audience.setdefault(dimension, {})[band] = Decimal(text)
                    except InvalidOperation:
                        problems.append(Problem(line, column, _("Not a percentage.")))
            if account and on and not problems:
                data = FiguresData(
                    account=account,
                    on=on,
                    followers=numbers["seguidores"] or 0,
                    posts=numbers.get("publicaciones"),
                    views=numbers.get("visualizaciones"),
                    interactions=numbers.get("interacciones"),
                    audience=audience,
                )
                for column, message in _figures_problems(data):
                    problems.append(Problem(line, {"on": "fecha"}.get(column, column), message))
                if (account.pk, on) in seen:
                    problems.append(
                        Problem(
                            line,
                            "",
                            _("The same account and date as line %(line)s.")
                            % {"line": seen[(account.pk, on)]},
                        )
                    )
                seen.setdefault((account.pk, on), line)
                if not problems:
                    rows.append(data)
            report.problems.extend(problems)
    except TableFileError as error:
        report.problems = error.problems
        return report
    if not rows and not report.problems:
        report.problems.append(Problem(1, "", _("The file has no figures.")))
    if report.problems:
        return report
    with transaction.atomic():
        for data in rows:
            do_record_figures(data, acting_user=acting_user)
    report.imported = len(rows)
    return report


# --- Information media ------------------------------------------------------------------------
def do_save_medium(medium: InformationMedium, *, acting_user: User) -> InformationMedium:
    require(acting_user)
    if medium.since and medium.until and medium.until <= medium.since:
        raise BusinessError(_("It is withdrawn before it was put in place."))
    medium.full_clean()
    medium.save()
    return medium


def do_withdraw_medium(medium: InformationMedium, day: date, *, acting_user: User) -> None:
    """The medium is no longer in place from `day` (its history stays in the inventory)."""
    require(acting_user)
    if medium.since and day <= medium.since:
        raise BusinessError(_("It is withdrawn before it was put in place."))
    medium.until = day
    medium.save(update_fields=["until"])


def do_save_mechanism(mechanism: Mechanism, *, acting_user: User) -> Mechanism:
    """A mechanism's description (its figures are counted, never typed)."""
    require(acting_user)
    mechanism.full_clean()
    mechanism.save()
    return mechanism
