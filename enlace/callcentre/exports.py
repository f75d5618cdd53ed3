"""The call centre's figures (figures.CallFigures) as an XLSX workbook: numbers as numbers,
percentages as the fractions they are (formatted 0.00 %, enlace/core/xlsx.py), seconds as
numbers of seconds, so the workbook agrees with the page and the PDF and analysts can compute
with it."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enlace.callcentre.figures import (
    AGENT_COLUMNS,
    ROW_COLUMNS,
    CallFigures,
    Column,
    Figures,
    summary_counts,
)
from enlace.callcentre.models import Unit
from enlace.core.xlsx import fraction, header


def _value(sheet: WriteOnlyWorksheet, value: int | str | Decimal | None, unit: Unit | None) -> Any:
    """A count, a percentage (as a fraction) or a number of seconds; None is an empty cell."""
    if value is None or unit is None:
        return value
    if unit == Unit.PERCENT:
        return fraction(sheet, Decimal(value))
    return float(Decimal(value))


def _row(sheet: WriteOnlyWorksheet, figures: Figures, columns: tuple[Column, ...]) -> list[Any]:
    return [_value(sheet, getattr(figures, column.key), column.unit) for column in columns]


def _met(met: bool | None) -> str:
    if met is None:
        return ""
    return _("Met") if met else _("Not met")


def figures_xlsx(figures: CallFigures) -> bytes:
    book = Workbook(write_only=True)
    summary: WriteOnlyWorksheet = book.create_sheet(_("Indicators")[:31])
    header(summary, [_("Indicator"), _("Figure"), _("Unit"), _("Target"), _("Result")])
    for item in figures.assessments:
        target = item.target
        summary.append(
            [
                str(item.label),
                _value(summary, item.value, item.unit),
                "%" if item.unit == Unit.PERCENT else "s",
                _value(summary, target.target if target else None, item.unit),
                _met(item.met),
            ]
        )
    summary.append([])
    summary.append([_("Period"), figures.period.start, figures.period.end])
    if figures.agent is not None:
        summary.append([_("Agent"), figures.agent.username])
    for label, count in summary_counts(figures):
        summary.append([label, count])
    summary.append([_("Quality evaluations"), figures.quality.evaluations])
    summary.append([_("Failed evaluations"), figures.quality.failed])

    hours: WriteOnlyWorksheet = book.create_sheet(_("By hour")[:31])
    header(hours, [_("Hour"), *(str(column.label) for column in ROW_COLUMNS)])
    for hour in figures.by_hour:
        hours.append([hour.hour, *_row(hours, hour.figures, ROW_COLUMNS)])

    days: WriteOnlyWorksheet = book.create_sheet(_("By day")[:31])
    header(days, [_("Day"), *(str(column.label) for column in ROW_COLUMNS)])
    for day in figures.by_day:
        days.append([day.day, *_row(days, day.figures, ROW_COLUMNS)])

    agents: WriteOnlyWorksheet = book.create_sheet(_("By agent")[:31])
    header(
        agents,
        [
            _("Agent"),
            _("Share"),
            *(str(column.label) for column in AGENT_COLUMNS),
            _("Quality score"),
        ],
    )
    for agent in figures.by_agent:
        agents.append(
            [
                agent.name or _("Unknown agent"),
                _value(agents, agent.share, Unit.PERCENT),
                *_row(agents, agent.figures, AGENT_COLUMNS),
                _value(agents, agent.quality_score, Unit.PERCENT),
            ]
        )

    wrap_ups: WriteOnlyWorksheet = book.create_sheet(_("By wrap-up")[:31])
    header(wrap_ups, [_("Wrap-up"), _("Calls"), _("Share")])
    for wrap_up in figures.by_wrap_up:
        wrap_ups.append(
            [str(wrap_up.label), wrap_up.count, _value(wrap_ups, wrap_up.share, Unit.PERCENT)]
        )

    topics: WriteOnlyWorksheet = book.create_sheet(_("By topic")[:31])
    header(topics, [_("Topic"), _("Inquiries"), _("Share")])
    for topic in figures.by_topic:
        topics.append([topic.label, topic.count, _value(topics, topic.share, Unit.PERCENT)])

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
