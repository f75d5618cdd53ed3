"""Importing historical cases: one action, the same for the command line, the web and the demo.

The file is read once. Each row is checked by `RowRules`; valid rows go to the staging table,
bad ones to `on_problem` as they are found (so a file of bad rows costs no memory). Then,
unless the import is all-or-nothing and something was wrong, one transaction moves the staged
rows into the cases with one "imported" history row each. A crash anywhere before the commit
leaves the cases as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases import deadlines, rollups
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, DeadlineStep
from enlace.core.tabular import Problem
from enlace.imports.readers import Source
from enlace.imports.rows import RowRules, StagedRow
from enlace.imports.staging import Staging

BATCH = 5_000
ALL_STEPS = tuple(DeadlineStep.values)
ANSWER_ONLY = (DeadlineStep.ANSWER.value,)
PROGRESS_EVERY = 2_000

ProblemSink = Callable[[int, dict[str, Any], list[Problem]], None]
ProgressSink = Callable[[str, int, int], None]


class Phase:
    READING = "reading"
    SAVING = "saving"


@dataclass
class ImportResult:
    rows: int = 0  # rows read (blank rows are not counted)
    rejected: int = 0  # rows with at least one problem
    already_imported: int = 0  # rows whose external id a case already had
    imported: int = 0  # cases created
    committed: bool = False
    first_problems: list[Problem] = field(default_factory=list)

    KEEP = 1_000  # problems kept for the summary; every one goes to the sink

    def note(self, problems: list[Problem]) -> None:
        self.rejected += 1
        room = self.KEEP - len(self.first_problems)
        self.first_problems.extend(problems[: max(room, 0)])


def _ignore_problem(line: int, values: dict[str, Any], problems: list[Problem]) -> None:
    pass


def _ignore_progress(phase: str, done: int, total: int) -> None:
    pass


def do_import_cases(
    source: Source,
    *,
    actor: User | None,
    skip_invalid: bool = False,
    on_problem: ProblemSink = _ignore_problem,
    on_progress: ProgressSink = _ignore_progress,
    now: datetime | None = None,
) -> ImportResult:
    """Import the rows of `source`. All-or-nothing unless `skip_invalid`: any bad row and
    nothing is imported. A file that cannot be read at all raises `ImportFileError`."""
    now = now or timezone.now()
    rules = RowRules(now=now)
    result = ImportResult()

    def reject(line: int, values: dict[str, Any], problems: list[Problem]) -> None:
        result.note(problems)
        on_problem(line, values, problems)

    with Staging() as staging:
        batch: list[StagedRow] = []
        for line, values in source.rows():
            result.rows += 1
            checked = rules.check(line, values)
            if isinstance(checked, list):
                reject(line, values, checked)
            else:
                batch.append(checked)
                if len(batch) >= BATCH:
                    staging.write(batch)
                    batch = []
            if result.rows % PROGRESS_EVERY == 0:
                on_progress(Phase.READING, source.done(), source.total)
        staging.write(batch)
        on_progress(Phase.READING, source.total, source.total)

        repeated = list(staging.repeated())
        for line, external_id, first in repeated:
            message = _("The external id %(id)s already appears on line %(first)s.") % {
                "id": external_id,
                "first": first,
            }
            reject(line, {"external_id": external_id}, [Problem(line, "external_id", message)])
        if result.rejected and not skip_invalid:
            return result
        staging.drop_lines([line for line, _id, _first in repeated])
        result.already_imported = staging.already_imported()
        staging.unique_tracking_codes()
        on_progress(Phase.SAVING, 0, 1)
        with transaction.atomic():
            actor_id = actor.pk if actor else None
            result.imported = staging.insert_cases(actor_id=actor_id, now=now)
            rollups.record_inserted(staging.inserted_cases())  # inserted in SQL, not by save()
            staging.insert_events(actor_id=actor_id, now=now, source=source.name)
            _open_deadlines(staging.open_case_ids())
        result.committed = True
        on_progress(Phase.SAVING, 1, 1)
    return result


def _open_deadlines(case_ids: list[int]) -> None:
    """Imported cases still open are followed like any other: they get their deadlines, counted
    from when they were received (so a long-open case shows as overdue at once). A case not
    yet acknowledged gets every step; one further along, only its answer."""
    for start in range(0, len(case_ids), 2000):
        rows = Case.objects.filter(pk__in=case_ids[start : start + 2000]).values_list(
            "pk", "kind", "opinion_type_id", "received_at", "status", "dependency__department"
        )
        deadlines.open_deadlines_in_bulk(
            [
                deadlines.OpenCase(
                    case_id=pk,
                    kind=kind,
                    opinion_type_id=type_id,
                    received_at=received_at,
                    department=department or "",
                    steps=ALL_STEPS if status == CaseStatus.RECEIVED else ANSWER_ONLY,
                )
                for pk, kind, type_id, received_at, status, department in rows
            ]
        )
