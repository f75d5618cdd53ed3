"""What the case list shows around its rows: the sortable columns' links, the active filters
each with a link that removes it, and the query a saved view keeps. Pure functions of the
request's query and the filter form; the rows themselves are `queries.case_page`'s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django_stubs_ext import StrOrPromise

from enlace.cases.queries import ListOrder

# The list's parameters a saved view keeps: its filters and sort, never a page's cursor.
PAGING = ("after", "before")


@dataclass(frozen=True)
class SortLink:
    query: str  # the list's query with this sort
    aria_sort: str  # "ascending", "descending" or "none", for the column's header


@dataclass(frozen=True)
class ActiveFilter:
    label: StrOrPromise
    value: str
    remove_query: str  # the list's query without this filter


def _with(query: QueryDict, **values: str) -> str:
    changed = query.copy()
    for name in PAGING:
        changed.pop(name, None)
    for name, value in values.items():
        if value:
            changed[name] = value
        else:
            changed.pop(name, None)
    return changed.urlencode()


def sort_links(query: QueryDict, order: ListOrder) -> dict[str, SortLink]:
    """The header links of the sortable columns: "received" flips between newest and oldest
    first, "due" sorts by the nearest due date."""
    received_next = ListOrder.OLDEST if order == ListOrder.NEWEST else ListOrder.NEWEST
    received_sort = {ListOrder.NEWEST: "descending", ListOrder.OLDEST: "ascending"}
    return {
        "received": SortLink(
            _with(query, orden=received_next.value if received_next != ListOrder.NEWEST else ""),
            received_sort.get(order, "none"),
        ),
        "due": SortLink(
            _with(query, orden=ListOrder.DUE.value),
            "ascending" if order == ListOrder.DUE else "none",
        ),
    }


def _shown(field: forms.BoundField, value: Any) -> str:
    """A filter's value as the form shows it: a choice's label, an entry's name, a date."""
    choices = getattr(field.field, "choices", None)
    if choices is not None and not isinstance(field.field, forms.ModelChoiceField):
        return str(dict(choices).get(value, value))
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}"
    return str(value)


def active_filters(form: forms.Form, query: QueryDict) -> list[ActiveFilter]:
    """The filters in force (valid and not empty), each with the query that drops it."""
    if not form.is_bound:
        return []
    form.is_valid()
    shown = []
    for name, value in form.cleaned_data.items():
        if name == "orden" or name in form.errors or value in (None, "", [], False):
            continue
        bound = form[name]
        raw = query.get(name, "")
        shown.append(
            ActiveFilter(
                bound.label,
                _shown(bound, raw if isinstance(value, str) else value),
                _with(query, **{name: ""}),
            )
        )
    return shown


def saved_query(query: QueryDict) -> str:
    """What a saved view keeps of the list's query: every parameter but the page's cursor."""
    return _with(query)
