"""On PostgreSQL, the production database: free text uses the Spanish, accent-blind search
configuration and its GIN index, and filtered list pages are read from an index in list order
(no table scan, no sort). The figures at 1,000,000 cases are in `make bench`."""

from datetime import date

import pytest
from django.db import connection

from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.cases.queries import CaseFilters, filter_cases, search
from enlace.directory.models import Dependency

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL plans; run with DATABASE_URL=postgres://"
)


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # With a handful of rows a table scan is cheapest; forbid it to see which index serves.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_word_forms_and_accents_do_not_matter(make_case):
    case = make_case(description="Los médicos no atendieron a mi mamá en emergencias")
    make_case(description="Faltó medicamento")
    found = search(Case.objects.all(), "MÉDICO emergencia mama")
    assert list(found) == [case]


@pytest.mark.django_db
def test_free_text_is_served_by_the_gin_index(make_case):
    make_case()
    # Unordered, as the count of a search page is: the words alone pick the rows.
    assert "case_search_vector_idx" in plan(search(Case.objects.order_by(), "farmacia"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "case_received_idx"),
        ({"dependency": "HG", "received_from": date(2026, 1, 1)}, "case_dep_received_idx"),
        ({"level_of_care": "hospital"}, "case_level_received_idx"),
        ({"status": "received"}, "case_status_received_idx"),
        ({"kind": CaseKind.OPINION}, "case_kind_received_idx"),
    ],
)
def test_a_filtered_page_reads_an_index_in_list_order(make_case, filters, index):
    make_case()
    if "dependency" in filters:
        filters["dependency_id"] = Dependency.objects.get(code=filters.pop("dependency")).pk
    queryset = filter_cases(Case.objects.all(), CaseFilters(**filters)).order_by(
        "-received_at", "-id"
    )[:51]
    explained = plan(queryset)
    assert index in explained
    assert "Sort" not in explained
    assert "Seq Scan" not in explained
