"""The rollups (enlace/cases/rollups.py) stay equal to a full GROUP BY over the cases whatever
the cases go through: random sequences of the real actions (register, reclassify, classify,
transfer, answer, close, reopen, merge, void, import, bulk updates, deletes), folded at random
moments, on SQLite and PostgreSQL; and several writers at once on PostgreSQL."""

from __future__ import annotations

import contextlib
import io
import logging
import random
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import ProtectedError
from django.utils import timezone

from enlace.accounts.models import User
from enlace.cases import actions, rollups
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import (
    Case,
    CaseDeadline,
    ChannelRollup,
    DeadlineStep,
    Grain,
    RollupCheck,
    RollupDelta,
)
from enlace.catalogues.models import InquiryTopic, Limitante, OpinionType
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.imports.actions import do_import_cases
from enlace.imports.readers import RowsSource

pytestmark = pytest.mark.django_db

# A whole year (read from the year rows), whole months and edge days at both ends.
FIRST, LAST = date(2024, 12, 20), date(2026, 2, 10)
CENTRES = ("HG", "UM-ZAC", "CC-SJA")
CHANNELS = ("llamada_127", "buzon", "facebook", "sitio_web")
TYPES = ("reclamo", "queja", "sugerencia", "felicitacion")
LIMITANTES = ("falta_medicamento", "tiempo_espera", None)
TOPICS = ("horarios", "citas")


def assert_exact(start: date = FIRST, end: date = LAST) -> None:
    """Every slice, by key and by month and key, over the period and over a few partial
    spans, read from the rollups (plus deltas) equals the count from the cases."""
    spans = [(start, end), (start + timedelta(days=9), end - timedelta(days=15))]
    spans.append((date(2025, 1, 1), date(2025, 12, 31)))  # one whole year
    spans.append((date(2025, 2, 1), date(2025, 2, 28)))  # one whole month
    spans.append((date(2025, 3, 5), date(2025, 3, 5)))  # one day
    today = timezone.localdate()
    spans.append((today - timedelta(days=3), today))  # the answers given today
    for first, last in spans:
        for slice_ in rollups.SLICES:
            for by_month in (False, True):
                by = "month" if by_month else ""
                # Every dimension, and only the last one (added up in SQL).
                for keep in (None, slice_.dimensions[-1:]):
                    stored = rollups.rollup_counts(
                        slice_, first, last, by_month=by_month, keep=keep
                    )
                    counted = rollups.raw_counts(slice_, first, last, by=by, keep=keep)
                    assert stored == counted, (slice_.name, first, last, by_month, keep)
    assert rollups.verify(start, end, repair=False) == 0


class Story:
    """A random history of cases, told through the real actions."""

    def __init__(self, rng: random.Random, user: User, make_case: Callable[..., Case]) -> None:
        self.rng = rng
        self.user = user
        self.make_case = make_case
        self.imports = 0

    def moment(self) -> datetime:
        day = FIRST + timedelta(days=self.rng.randrange((LAST - FIRST).days + 1))
        # Early and late hours: the local day, not the UTC one, is what counts.
        at = time(self.rng.choice((0, 5, 12, 18, 23)), self.rng.randrange(60))
        return datetime.combine(day, at, timezone.get_current_timezone())

    def case(self) -> Case | None:
        ids = list(Case.objects.values_list("pk", flat=True))
        return Case.objects.get(pk=self.rng.choice(ids)) if ids else None

    def register(self) -> None:
        rng = self.rng
        if rng.random() < 0.7:
            case = self.make_case(
                type=rng.choice(TYPES),
                centre=rng.choice(CENTRES),
                channel=rng.choice(CHANNELS),
                limitante=rng.choice(LIMITANTES),
            )
        else:
            case = self.make_case(
                CaseKind.INQUIRY,
                topic=rng.choice(TOPICS),
                centre=rng.choice((*CENTRES, None)),
                channel=rng.choice(CHANNELS),
            )
        Case.objects.filter(pk=case.pk).update(received_at=self.moment())

    def reclassify(self, case: Case) -> None:
        rng = self.rng
        if case.kind == CaseKind.OPINION:
            limitante = rng.choice(LIMITANTES)
            actions.do_reclassify_case(
                case,
                opinion_type=OpinionType.objects.get(code=rng.choice(TYPES)),
                limitante=Limitante.objects.get(code=limitante) if limitante else None,
                topic=None,
                acting_user=self.user,
            )
        else:
            actions.do_reclassify_case(
                case,
                opinion_type=None,
                limitante=None,
                topic=InquiryTopic.objects.get(code=rng.choice(TOPICS)),
                acting_user=self.user,
            )

    def transfer(self, case: Case) -> None:
        centre = Dependency.objects.get(code=self.rng.choice(CENTRES))
        actions.do_assign_case(case, centre, acting_user=self.user)

    def answer(self, case: Case) -> None:
        actions.do_answer_case(case, "Se resolvió con la farmacia.", acting_user=self.user)

    def close(self, case: Case) -> None:
        actions.do_close_case(case, "Respuesta dada por teléfono.", acting_user=self.user)

    def reopen(self, case: Case) -> None:
        actions.do_reopen_case(case, "El paciente volvió a llamar.", acting_user=self.user)

    def void(self, case: Case) -> None:
        actions.do_void_case(case, "Registrado por error.", acting_user=self.user)

    def merge(self, case: Case) -> None:
        into = self.case()
        if into is not None:
            actions.do_merge_case(case, into, acting_user=self.user)

    def move_in_time(self, case: Case) -> None:
        Case.objects.filter(pk=case.pk).update(received_at=self.moment())

    def move_answer(self, case: Case) -> None:
        """An answer given on another day (as history being loaded would say)."""
        answer = CaseDeadline.objects.filter(case=case, step=DeadlineStep.ANSWER)
        if self.rng.random() < 0.5:
            answer.update(met_at=self.moment())
        else:
            for deadline in answer:
                deadline.met_at = self.moment()
                deadline.business_days_taken = self.rng.randint(0, 20)
                deadline.save()

    def bulk_update(self, case: Case) -> None:
        centre = Dependency.objects.get(code=self.rng.choice(CENTRES))
        Case.objects.filter(dependency=case.dependency, kind=case.kind).update(
            dependency=centre, level_of_care=centre.level_of_care
        )

    def delete(self, case: Case) -> None:
        if self.rng.random() < 0.5:
            case.delete()
        else:
            Case.objects.filter(pk=case.pk).delete()

    def import_some(self) -> None:
        self.imports += 1
        rows = []
        for number in range(self.rng.randint(1, 6)):
            opinion = self.rng.random() < 0.6
            received = self.moment()
            status = self.rng.choice(("closed", "received", "void"))
            rows.append(
                {
                    "external_id": f"R{self.imports}-{number}",
                    "received_at": received,
                    "kind": "opinion" if opinion else "consulta",
                    "opinion_type": self.rng.choice(TYPES) if opinion else "",
                    "channel": self.rng.choice(CHANNELS),
                    "dependency_code": self.rng.choice(CENTRES),
                    "limitante": (self.rng.choice(LIMITANTES) or "") if opinion else "",
                    "topic": "" if opinion else self.rng.choice(TOPICS),
                    "status": status,
                    "closed_at": received + timedelta(days=2) if status != "received" else "",
                    "description": "Caso histórico",
                }
            )
        result = do_import_cases(RowsSource(rows, "historico.csv"), actor=self.user)
        assert result.committed, result

    def step(self) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            self.register()
            return
        if roll < 0.36:
            self.import_some()
            return
        if roll < 0.42:
            rollups.fold(batch_size=rng.choice((1, 3, 50)))
            return
        case = self.case()
        if case is None:
            return
        change: Callable[[Case], None] = rng.choice(
            (
                self.reclassify,
                self.reclassify,
                self.transfer,
                self.answer,
                self.close,
                self.close,
                self.reopen,
                self.void,
                self.merge,
                self.move_in_time,
                self.move_answer,
                self.move_answer,
                self.bulk_update,
                self.delete,
            )
        )
        # A step the case's state does not allow, or a delete of a case others point to.
        with contextlib.suppress(BusinessError, ProtectedError):
            change(case)


@pytest.mark.parametrize("seed", range(6))
def test_random_histories_leave_the_rollups_equal_to_the_cases(
    seed: int, resolution: User, make_case: Callable[..., Case]
) -> None:
    story = Story(random.Random(seed), resolution, make_case)
    for number in range(1, 61):
        story.step()
        if number % 20 == 0:
            assert_exact()
    rollups.fold()
    assert not RollupDelta.objects.exists()
    assert_exact()


def test_the_reports_read_the_same_figures_from_the_rollups_and_from_the_cases(
    resolution: User, make_case: Callable[..., Case]
) -> None:
    from enlace.reports.compliance import deadline_compliance
    from enlace.reports.dashboard import monthly_trend
    from enlace.reports.participation import Period, participation_report

    story = Story(random.Random(42), resolution, make_case)
    for _ in range(80):
        story.step()
    rollups.fold()
    story.register()  # one delta left unfolded
    period = Period(FIRST, LAST)
    centres = list(Dependency.objects.filter(code__in=CENTRES[:2]).values_list("pk", flat=True))
    assert rollups.ready()
    report = participation_report(period)
    scoped = participation_report(period, dependency_ids=centres)
    trend = monthly_trend(period)
    wide = (FIRST, timezone.localdate())
    compliance = deadline_compliance(*wide)
    scoped_compliance = deadline_compliance(*wide, dependency_ids=centres)
    assert report["opinions"]["total"] > scoped["opinions"]["total"] > 0
    assert sum(row.answered for row in compliance) > 0
    RollupCheck.objects.all().delete()  # not ready: the same functions count the cases
    assert not rollups.ready()
    assert participation_report(period) == report
    assert participation_report(period, dependency_ids=centres) == scoped
    assert monthly_trend(period) == trend
    assert deadline_compliance(*wide) == compliance
    assert deadline_compliance(*wide, dependency_ids=centres) == scoped_compliance


def test_the_checker_finds_and_repairs_a_difference(
    make_case: Callable[..., Case], caplog: pytest.LogCaptureFixture
) -> None:
    case = make_case(type="queja", centre="HG")
    day = timezone.localdate(case.received_at)
    rollups.fold()
    ChannelRollup.objects.filter(grain=Grain.MONTH).update(n=7)  # a wrong figure
    ChannelRollup.objects.create(
        grain=Grain.DAY, period=day, kind="opinion", dependency_id=999, channel_id=1, n=3
    )
    with caplog.at_level(logging.ERROR, logger="enlace.rollups"):
        # The month's day and month rows, and the year's row against its months.
        assert rollups.verify(day, day, repair=False) == 3
        # Repaired month by month first, the year then agrees with its months.
        assert rollups.verify(day, day) == 2
    assert "rollups differed from the cases on 2 keys" in caplog.text
    assert rollups.verify(day, day) == 0
    checks = list(RollupCheck.objects.filter(kind=RollupCheck.Kind.VERIFIED).order_by("at", "id"))
    assert [check.differences for check in checks] == [3, 2, 0]
    assert_exact(day, day)
    ChannelRollup.objects.filter(grain=Grain.YEAR).update(n=9)  # a wrong year alone
    assert rollups.verify(day, day) == 1
    year = (date(day.year, 1, 1), date(day.year, 12, 31))
    assert rollups.rollup_counts(rollups.CHANNELS, *year) == rollups.raw_counts(
        rollups.CHANNELS, *year
    )


def test_rebuild_counts_cases_written_in_sql(make_case: Callable[..., Case]) -> None:
    """Cases loaded past the ORM (a restore, a bulk load) are counted once rebuilt; a rollup
    row left outside the months with cases goes."""
    case = make_case(type="queja", centre="HG")
    with connection.cursor() as cursor:  # as a restore would: behind the model's back
        cursor.execute("UPDATE cases_case SET status = %s WHERE id = %s", ["void", case.pk])
        cursor.execute("DELETE FROM cases_rollupdelta")
    make_case(CaseKind.INQUIRY, topic="citas")
    ChannelRollup.objects.create(
        grain=Grain.MONTH,
        period=date(2001, 1, 1),
        kind="opinion",
        dependency_id=1,
        channel_id=1,
        n=5,
    )
    call_command("rebuild_rollups", stdout=io.StringIO())
    today = timezone.localdate()
    assert rollups.rollup_counts(rollups.CHANNELS, date(2000, 1, 1), today) == rollups.raw_counts(
        rollups.CHANNELS, date(2000, 1, 1), today
    )
    assert rollups.rollup_counts(rollups.OPINIONS, date(2000, 1, 1), today) == {}
    assert RollupCheck.objects.filter(kind=RollupCheck.Kind.REBUILT).exists()
    assert_exact(today - timedelta(days=40), today)


def test_the_sweeper_folds_and_checks_once_a_day(make_case: Callable[..., Case]) -> None:
    from enlace.core import sweeping

    make_case(type="queja", centre="HG")
    make_case(type="reclamo", centre="UM-ZAC")
    first = sweeping.sweep()
    assert first["rollup_deltas_folded"] == 2
    assert first["rollup_differences"] == 0
    assert not RollupDelta.objects.exists()
    again = sweeping.sweep()
    assert "rollup_differences" not in again  # checked already today
    assert again["rollup_deltas_folded"] == 0


def test_verify_rollups_command_says_what_differed(make_case: Callable[..., Case]) -> None:
    make_case(type="queja", centre="HG")
    out = io.StringIO()
    call_command("verify_rollups", stdout=out)
    assert "agree" in out.getvalue()
    RollupDelta.objects.all().delete()  # a lost delta
    with pytest.raises(SystemExit) as exit_status:
        call_command("verify_rollups", "--check", stdout=out)
    assert exit_status.value.code == 1
    assert "(left as they are)" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("verify_rollups", stdout=out)
    call_command("verify_rollups", "--all", stdout=out)
    assert out.getvalue().rstrip().endswith(str(timezone.localdate()))


def test_every_write_appends_deltas_without_a_shared_row(
    make_case: Callable[..., Case], resolution: User
) -> None:
    """Registering appends one +1 row; a transfer one -1 and one +1; a change of a column no
    report counts, none: writers only ever insert."""
    case = make_case(type="queja", centre="HG")
    assert list(RollupDelta.objects.values_list("n", flat=True)) == [1]
    actions.do_assign_case(case, Dependency.objects.get(code="UM-ZAC"), acting_user=resolution)
    assert list(RollupDelta.objects.order_by("id").values_list("n", flat=True)) == [1, -1, 1]
    Case.objects.filter(pk=case.pk).update(citizen_name="Otra Persona")
    actions.do_add_comment(case, "Llamar mañana.", acting_user=resolution)
    assert RollupDelta.objects.count() == 3
    assert_exact(timezone.localdate(), timezone.localdate())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_and_folders_leave_the_rollups_exact(
    make_case: Callable[..., Case], resolution: User
) -> None:
    """Four writers register and transfer cases at one centre on one day while two folders
    run: no writer waits on a counter row, no fold counts a delta twice or loses one."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def write(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(15):
                case = make_case(type=rng.choice(TYPES), centre="HG")
                if rng.random() < 0.5:
                    target = Dependency.objects.get(code=rng.choice(CENTRES))
                    actions.do_assign_case(case, target, acting_user=resolution)
                if rng.random() < 0.3:
                    actions.do_void_case(case, "Duplicado.", acting_user=resolution)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def fold() -> None:
        try:
            while not stop.is_set():
                rollups.fold(batch_size=7)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=write, args=(seed,)) for seed in range(4)]
    folders = [threading.Thread(target=fold) for _ in range(2)]
    for thread in writers + folders:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in folders:
        thread.join()
    assert errors == []
    rollups.fold()
    today = timezone.localdate()
    assert Case.objects.count() == 60
    assert_exact(today - timedelta(days=1), today)
    counted = Case.objects.exclude(status=CaseStatus.VOID).count()
    assert sum(rollups.rollup_counts(rollups.CHANNELS, today, today).values()) == counted


def test_a_stale_instance_saved_late_leaves_the_rollups_exact(
    make_case: Callable[..., Case],
) -> None:
    """Two copies of one case: one moves it to another centre, then the other (loaded before)
    is saved whole, putting the old centre back. The rollups follow the row as stored, not
    the copy's memory of it; a save of a copy loaded with deferred columns too."""
    case = make_case(type="queja", centre="HG")
    early = Case.objects.get(pk=case.pk)
    moved = Case.objects.get(pk=case.pk)
    moved.dependency = Dependency.objects.get(code="UM-ZAC")
    moved.save()
    early.description = "Texto corregido"
    early.save()  # writes dependency HG again
    partial = Case.objects.only("id", "status").get(pk=case.pk)
    partial.status = CaseStatus.CLOSED
    partial.save()
    day = timezone.localdate()
    assert Case.objects.get(pk=case.pk).dependency_id == Dependency.objects.get(code="HG").pk
    assert_exact(day, day)
    rollups.fold()
    assert_exact(day, day)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_sweeper_skips_the_check_while_the_first_holds_the_lock(
    make_case: Callable[..., Case],
) -> None:
    make_case(type="queja", centre="HG")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # another process folding
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [rollups.LOCK_KEY])
            found = rollups.sweep(timezone.now())
            assert found == {"rollup_deltas_folded": 0}  # nothing folded, no check, no error
            with pytest.raises(CommandError, match="another process is folding"):
                call_command("rebuild_rollups", stdout=io.StringIO())
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    found = rollups.sweep(timezone.now())
    assert found == {"rollup_deltas_folded": 1, "rollup_differences": 0}


def test_an_answer_follows_its_case_to_no_centre_and_out_when_deleted(
    make_case: Callable[..., Case], resolution: User
) -> None:
    """An answered inquiry whose centre is cleared stays counted, under no centre; deleting
    a case without a centre takes its answer out."""
    case = make_case(CaseKind.INQUIRY, topic="citas", centre="HG")
    actions.do_answer_case(case, "Su cita es el lunes.", acting_user=resolution)
    other = make_case(CaseKind.INQUIRY, topic="citas")
    actions.do_answer_case(other, "Llame al 127.", acting_user=resolution)
    today = timezone.localdate()
    assert sum(rollups.rollup_counts(rollups.ANSWERS, today, today).values()) == 2
    Case.objects.filter(pk=case.pk).update(dependency=None, level_of_care="")
    assert_exact(today, today)
    Case.objects.filter(pk=other.pk).delete()
    assert sum(rollups.rollup_counts(rollups.ANSWERS, today, today).values()) == 1
    assert_exact(today, today)


def test_the_national_trend_is_never_read_for_some_centres(
    make_case: Callable[..., Case],
) -> None:
    make_case(type="queja", centre="HG")
    today = timezone.localdate()
    assert rollups.counts(rollups.TREND, today, today) == {
        (CaseKind.OPINION, OpinionType.objects.get(code="queja").pk): 1
    }
    centre = Dependency.objects.get(code="HG").pk
    with pytest.raises(ValueError, match="every centre"):
        rollups.counts(rollups.TREND, today, today, dependency_ids=[centre])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("with_cases", [True, False])
def test_the_migration_adding_the_trend_asks_for_a_rebuild_only_over_cases(
    make_case: Callable[..., Case], with_cases: bool
) -> None:
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target: tuple[str, str]) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([target])

    if with_cases:
        make_case(type="queja", centre="HG")
    RollupCheck.objects.get_or_create(kind=RollupCheck.Kind.EMPTY, at=timezone.now())
    try:
        migrate(("cases", "0017_case_files"))
        migrate(("cases", "0018_trend_rollup"))
        # The cases already counted are not in the new rollup: the reports count the rows
        # until `rebuild_rollups` (docs/operations.md); a database without cases stays ready.
        assert rollups.ready() is not with_cases
        if with_cases:
            call_command("rebuild_rollups", stdout=io.StringIO())
            assert rollups.ready()
            today = timezone.localdate()
            assert rollups.rollup_counts(rollups.TREND, today, today) == rollups.raw_counts(
                rollups.TREND, today, today
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
