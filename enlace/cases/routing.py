"""Routing suggestions and answer templates: pure matching and rendering, plus their reads."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

from django.db.models import Q, QuerySet
from django.utils import timezone

from enlace.cases.models import AnswerTemplate, Case, RoutingRule
from enlace.directory.models import Dependency

_CONDITIONS = ("dependency_id", "opinion_type_id", "limitante_id", "channel_id")


def matching_rule(case: Case, rules: Iterable[RoutingRule]) -> RoutingRule | None:
    """The first rule (in the order given) whose every set condition equals the case's."""
    for rule in rules:
        if all(
            getattr(rule, field) is None or getattr(rule, field) == getattr(case, field)
            for field in _CONDITIONS
        ):
            return rule
    return None


def suggest_route(case: Case) -> Dependency | None:
    """Where the rules say this case should go, else the centre it is about."""
    rules = RoutingRule.objects.filter(is_active=True).select_related("route_to")
    rule = matching_rule(case, rules)
    return rule.route_to if rule else case.dependency


class _Placeholders(string.Formatter):
    """str.format that leaves an unknown {placeholder} as it was written, instead of failing."""

    def get_value(self, key: int | str, args: object, kwargs: Mapping[str, object]) -> object:
        if isinstance(key, str) and key not in kwargs:
            return "{" + key + "}"
        return super().get_value(key, args, kwargs)  # type: ignore[arg-type]


def render_template(body: str, case: Case) -> str:
    values = {
        "nombre": case.citizen_name or "usuario(a)",
        "codigo": case.display_code,
        "centro": case.dependency.name if case.dependency else "",
        "fecha": f"{timezone.localtime(case.received_at):%d/%m/%Y}",
        "tipo": case.subject.lower(),
    }
    try:
        return _Placeholders().format(body, **values)
    except (ValueError, IndexError):
        return body  # a stray brace: the text as written is better than an error


def templates_for(case: Case) -> QuerySet[AnswerTemplate]:
    return AnswerTemplate.objects.filter(is_active=True).filter(
        Q(opinion_type__isnull=True) | Q(opinion_type_id=case.opinion_type_id)
    )
