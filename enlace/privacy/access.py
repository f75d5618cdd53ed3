"""Writing the access log: every view of a citizen's personal data is a row (models.py).

`record` writes the row of the case a page showed, or one `AccessBatch` row for a page of
many (an API list), which `expand_batches` turns into a row per case before anyone reads the log;
`record_query` the rows of every case a query selects (an export of a million cases), in one
INSERT ... SELECT that never brings the cases into Python."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from enlace.privacy.models import AccessBatch, PersonalDataAccess


def record(
    user: Any,
    via: str,
    *,
    case_ids: Iterable[int] = (),
    request_ids: Iterable[int] = (),
    subject: str = "",
    api_key_id: int | None = None,
) -> int:
    """The rows of one access: one per case or request shown (one in all for a search that
    found nothing). A page of several cases is written as one `AccessBatch` row, expanded
    later (`expand_batches`). Returns how many cases and requests were shown."""
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    case_ids = list(dict.fromkeys(case_ids))
    if len(case_ids) > 1 and not request_ids:
        return _insert_batch(case_ids, now, user_id, api_key_id, via)
    common: dict[str, Any] = {
        "at": now,
        "user_id": user_id,
        "api_key_id": api_key_id,
        "via": via,
        "subject": subject[:100],
    }
    rows = [PersonalDataAccess(case_id=pk, **common) for pk in case_ids]
    rows += [
        PersonalDataAccess(information_request_id=pk, **common) for pk in dict.fromkeys(request_ids)
    ]
    if not rows and subject:
        rows = [PersonalDataAccess(**common)]
    if rows:
        PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)


def _insert_batch(
    case_ids: list[int], at: Any, user_id: int | None, api_key_id: int | None, via: str
) -> int:
    table = AccessBatch._meta.db_table
    ids = json.dumps(case_ids)
    source = ""
    if connection.vendor == "postgresql":
        ids_sql = "CAST(%s AS jsonb)"
        # Outside a transaction (autocommit: the API's reads), the statement's own commit does
        # not wait for the WAL to reach the disk (`synchronous_commit` off for this transaction
        # only, set by the statement itself: one round trip). A crash of the database server
        # may lose the last fraction of a second of these rows (PostgreSQL's "asynchronous
        # commit", at most three times wal_writer_delay); never a case's own writes, which
        # commit as before. docs/operations.md says so. Inside a caller's transaction it
        # changes nothing the caller did not choose: `set_config(..., true)` lasts until that
        # transaction ends, so only an autocommit caller gets it.
        if connection.get_autocommit():
            source = "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous"
    else:
        ids_sql = "%s"
    sql = (
        f"INSERT INTO {table} (at, user_id, api_key_id, via, case_ids) "
        f"SELECT %s, %s, %s, %s, {ids_sql} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, user_id, api_key_id, via, ids])
    return len(case_ids)


def log() -> QuerySet[PersonalDataAccess]:
    """The access log as it stands, every batch expanded first: where each reader starts."""
    expand_batches()
    return PersonalDataAccess.objects.all()


EXPAND_CHUNK = 500  # batches per transaction: up to 100,000 log rows of API pages


def expand_batches() -> int:
    """Every `AccessBatch` written so far, as one access-log row per case it holds (a case
    deleted since is left out), each chunk of batches deleted in the transaction that expands
    it. The chunk's batches are locked first, so two callers at once never expand one twice:
    the second waits, then finds them gone. Returns how many log rows it wrote."""
    batches = AccessBatch._meta.db_table
    log_table = PersonalDataAccess._meta.db_table
    cases = PersonalDataAccess._meta.get_field("case").related_model._meta.db_table
    if connection.vendor == "postgresql":
        listed = "jsonb_array_elements_text(batch.case_ids) AS listed(value)"
        case_id = "listed.value::bigint"
    else:
        listed = "json_each(batch.case_ids) AS listed"
        case_id = "listed.value"
    written = 0
    while True:
        with transaction.atomic():
            chunk = list(
                AccessBatch.objects.select_for_update()
                .order_by("pk")
                .values_list("pk", flat=True)[:EXPAND_CHUNK]
            )
            if not chunk:
                return written
            marks = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {log_table} (case_id, at, user_id, api_key_id, via, "  # noqa: S608
                    "information_request_id, subject) SELECT shown.id, batch.at, "
                    "batch.user_id, batch.api_key_id, batch.via, NULL, '' "
                    f"FROM {batches} AS batch CROSS JOIN {listed} "
                    f"JOIN {cases} AS shown ON shown.id = {case_id} "
                    f"WHERE batch.id IN ({marks}) ORDER BY batch.id",
                    chunk,
                )
                written += int(cursor.rowcount)
                cursor.execute(f"DELETE FROM {batches} WHERE id IN ({marks})", chunk)  # noqa: S608


def record_query(
    user: Any, via: str, cases: QuerySet[Any], *, api_key_id: int | None = None
) -> int:
    """One row for every case `cases` selects, written by the database from the query itself.
    Returns how many."""
    ids = cases.order_by().values("pk")
    select_sql, params = ids.query.get_compiler(connection=connection).as_sql()
    table = PersonalDataAccess._meta.db_table
    sql = (
        f"INSERT INTO {table} (case_id, at, user_id, api_key_id, via, "  # noqa: S608
        f"information_request_id, subject) SELECT selected.*, %s, %s, %s, %s, NULL, '' "
        f"FROM ({select_sql}) AS selected"
    )
    with connection.cursor() as cursor:  # one statement: no transaction of its own needed
        cursor.execute(sql, [timezone.now(), getattr(user, "pk", None), api_key_id, via, *params])
        return int(cursor.rowcount)
