"""The staging table of one import: valid rows land here first (COPY on PostgreSQL, batched
inserts on SQLite), then one INSERT ... SELECT moves them into the cases in a single transaction.

It is a temporary table of the importing connection: it costs no write-ahead log on PostgreSQL,
no other import sees it, and it disappears with the connection even after a crash. The checks
that need the whole file (an external id repeated within it, one already imported, a tracking
code already taken) are set operations over it, so memory stays flat however many rows arrive.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Field, QuerySet
from django.db.models.expressions import RawSQL

from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.cases.rules import new_tracking_code
from enlace.imports.rows import StagedRow

TABLE = "enlace_import_staging"
_TYPES = {
    "postgresql": {int: "bigint", str: "text", datetime: "timestamptz"},
    "sqlite": {int: "integer", str: "text", datetime: "datetime"},
}
_COLUMN_TYPES: dict[str, type] = {
    "line": int,
    "channel_id": int,
    "opinion_type_id": int,
    "topic_id": int,
    "limitante_id": int,
    "dependency_id": int,
    "received_at": datetime,
    "closed_at": datetime,
}
COLUMNS = StagedRow._fields
# Staged columns that are not fields of a case.
NOT_CASE = {"line"}


class Staging:
    """`with Staging() as staging:` creates the table, and drops it on the way out."""

    def __enter__(self) -> Staging:
        types = _TYPES[connection.vendor]
        columns = ", ".join(f"{name} {types[_COLUMN_TYPES.get(name, str)]}" for name in COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {TABLE} ({columns})")
        self.indexed = False
        return self

    def __exit__(self, *exc: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def write(self, rows: list[StagedRow]) -> None:
        if not rows:
            return
        names = ", ".join(COLUMNS)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {TABLE} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            adapt = connection.ops.adapt_datetimefield_value
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO {TABLE} ({names}) VALUES ({marks})",
                [tuple(adapt(v) if isinstance(v, datetime) else v for v in row) for row in rows],
            )

    def _index(self) -> None:
        """Indexes are built once the rows are in: cheaper than maintaining them row by row."""
        if self.indexed:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {TABLE}_ext ON {TABLE} (external_id, line)")
            cursor.execute(f"CREATE INDEX {TABLE}_code ON {TABLE} (tracking_code)")
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {TABLE}")
        self.indexed = True

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def repeated(self) -> Iterator[tuple[int, str, int]]:
        """(line, external id, first line) for each row whose external id an earlier row of the
        same file already has."""
        self._index()
        yield from self._rows(
            f"""
            SELECT s.line, s.external_id, f.first_line
            FROM {TABLE} s
            JOIN (SELECT external_id, MIN(line) AS first_line FROM {TABLE}
                  GROUP BY external_id HAVING COUNT(*) > 1) f
              ON f.external_id = s.external_id
            WHERE s.line > f.first_line
            ORDER BY s.line
            """
        )

    def drop_lines(self, lines: list[int]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(lines), 500):
                chunk = lines[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {TABLE} WHERE line IN ({marks})", chunk)

    def already_imported(self) -> int:
        """Rows whose external id a case already has: a re-import skips them."""
        self._index()
        return int(
            self._rows(
                f"""SELECT COUNT(*) FROM {TABLE} s
                WHERE EXISTS (SELECT 1 FROM {Case._meta.db_table} c
                              WHERE c.external_id = s.external_id)"""
            )[0][0]
        )

    def unique_tracking_codes(self) -> None:
        """Draw a new code for the rare row whose random code a case or an earlier row already
        has (about one in ten imports of a million rows into a million cases meets one)."""
        self._index()
        while clashes := self._rows(
            f"""
            SELECT s.line FROM {TABLE} s
            WHERE EXISTS (SELECT 1 FROM {Case._meta.db_table} c
                          WHERE c.tracking_code = s.tracking_code)
               OR EXISTS (SELECT 1 FROM {TABLE} t
                          WHERE t.tracking_code = s.tracking_code AND t.line < s.line)
            """
        ):
            with connection.cursor() as cursor:
                for (line,) in clashes:
                    cursor.execute(
                        f"UPDATE {TABLE} SET tracking_code = %s WHERE line = %s",
                        (new_tracking_code(), line),
                    )

    def insert_cases(self, *, actor_id: int | None, now: datetime) -> int:
        """Move the staged rows into the cases, skipping external ids already imported, in the
        order they were received (new ids follow time, and the indexes that end in
        `received_at` are filled in order, measurably faster than in file order). Every field of
        a case that the file does not give gets the model's default, so a new field with a
        default needs no change here."""
        fixed: dict[str, Any] = {"created_by_id": actor_id, "updated_at": now}
        columns, values, params = [], [], []
        for field in Case._meta.concrete_fields:
            assert isinstance(field, Field)
            if field.primary_key:
                continue
            columns.append(str(field.column))
            if field.attname in COLUMNS and field.attname not in NOT_CASE:
                values.append(f"s.{field.attname}")
                continue
            value = fixed[field.attname] if field.attname in fixed else field.get_default()
            values.append("%s")
            params.append(field.get_db_prep_save(value, connection))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {Case._meta.db_table} ({", ".join(columns)})
                SELECT {", ".join(values)} FROM {TABLE} s
                WHERE NOT EXISTS (SELECT 1 FROM {Case._meta.db_table} c
                                  WHERE c.external_id = s.external_id)
                ORDER BY s.received_at, s.line
                """,
                params,
            )
            return int(cursor.rowcount)

    def insert_events(self, *, actor_id: int | None, now: datetime, source: str) -> None:
        """One "imported" row in each new case's history: by whom, when, from which file and
        line, in which status it arrived."""
        # The timeline shows changes as {"field": {"from": ..., "to": ...}}.
        build = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
        changes = (
            f"{build}('external_id', {build}('from', '', 'to', s.external_id), "
            f"'source', {build}('from', '', 'to', %s || ':' || CAST(s.line AS text)))"
        )
        event = CaseEvent._meta
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {event.db_table}
                    (case_id, kind, actor_id, at, from_status, to_status, changes, note)
                SELECT c.id, %s, %s, %s, '', s.status, {changes}, ''
                FROM {TABLE} s JOIN {Case._meta.db_table} c ON c.tracking_code = s.tracking_code
                """,
                [
                    EventKind.IMPORTED,
                    actor_id,
                    connection.ops.adapt_datetimefield_value(now),
                    source,
                ],
            )

    def inserted_cases(self) -> QuerySet[Case]:
        """The cases `insert_cases` made (their tracking codes are the staged ones)."""
        staged = RawSQL(f"SELECT tracking_code FROM {TABLE}", ())  # noqa: S611 (a constant)
        return Case.objects.filter(tracking_code__in=staged)

    def open_case_ids(self) -> list[int]:
        """The ids of the imported cases still open: they get their deadlines."""
        return [
            int(pk)
            for (pk,) in self._rows(
                f"""SELECT c.id FROM {TABLE} s
                JOIN {Case._meta.db_table} c ON c.tracking_code = s.tracking_code
                WHERE s.status NOT IN (%s, %s) ORDER BY c.id""",
                (CaseStatus.CLOSED, CaseStatus.VOID),
            )
        ]
