"""Writing the access log: every view of a citizen's personal data is a row (models.py).

`record` writes the rows of the cases a page or an API answer showed, in one INSERT;
`record_query` the rows of every case a query selects (an export of a million cases), in one
INSERT ... SELECT that never brings the cases into Python."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from enlace.privacy.models import PersonalDataAccess


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
    found nothing). Returns how many."""
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    case_ids = list(dict.fromkeys(case_ids))
    if connection.vendor == "postgresql" and len(case_ids) > 1 and not request_ids:
        # A page of cases (an API list): one statement over an array, no row objects.
        return _insert_cases(case_ids, now, user_id, api_key_id, via, subject[:100])
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


def _insert_cases(
    case_ids: list[int],
    at: Any,
    user_id: int | None,
    api_key_id: int | None,
    via: str,
    subject: str,
) -> int:
    table = PersonalDataAccess._meta.db_table
    # Outside a transaction (autocommit: the API's reads), the statement's own commit does
    # not wait for the WAL to reach the disk (`synchronous_commit` off for this transaction
    # only, set by the statement itself: one round trip). A crash of the database server
    # may lose the last fraction of a second of these rows (PostgreSQL's "asynchronous
    # commit", at most three times wal_writer_delay); never a case's own writes, which
    # commit as before. docs/operations.md says so. Inside a caller's transaction it changes
    # nothing the caller did not choose: `set_config(..., true)` lasts until that
    # transaction ends, so only an autocommit caller gets it.
    asynchronous = connection.get_autocommit()
    source = (
        "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous"
        if asynchronous
        else ""
    )
    sql = (
        f"INSERT INTO {table} (case_id, at, user_id, api_key_id, via, "
        "information_request_id, subject) "
        f"SELECT unnest(%s::bigint[]), %s, %s, %s, %s, NULL, %s {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_ids, at, user_id, api_key_id, via, subject])
        return int(cursor.rowcount)


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
