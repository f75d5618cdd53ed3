"""Seed 002's table, "Mecanismos de participación institucional", from the data.

`mechanisms_report(year)` returns the figures (`enlace.participation.figures`); `participation
_lines(mechanism)` writes its "participation and places" cell as sentences in the request's
language, the same sentences for the page, the PDF and the workbook, so the three agree by
construction. Every number in them is one of the report's figures.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enlace.core.xlsx import header
from enlace.participation.figures import Window, mechanisms_table, year_windows


def mechanisms_report(year: int) -> dict[str, Any]:
    """The table for `year`: events and accounts over the year, opinions over the unit's
    window for it (ReportingYear), stated at its day."""
    period, opinions_window, stated_on = year_windows(year)
    report = mechanisms_table(period, opinions_window)
    report["year"] = year
    report["stated_on"] = stated_on.isoformat() if stated_on else None
    _finish(report)
    return report


def period_report(period: Window) -> dict[str, Any]:
    """The table for any period (a subscription's month, quarter or semester): opinions over
    the same period."""
    report = mechanisms_table(period)
    report["year"] = None
    report["stated_on"] = None
    _finish(report)
    return report


def _finish(report: dict[str, Any]) -> None:
    for mechanism in report["mechanisms"]:
        accounts = mechanism["accounts"]
        by_network: dict[str, int] = {}
        for account in accounts:
            by_network[account["network_name"]] = (
                by_network.get(account["network_name"], 0) + account["interactions"]
            )
        mechanism["interactions_by_network"] = [
            {"network": name, "count": count} for name, count in by_network.items()
        ]
        mechanism["participation"] = participation_lines(mechanism, report)


def number(count: int) -> str:
    """A count as the seed prints it: thousands with a comma (3,658)."""
    return f"{count:,}"


def _day(iso: str) -> str:
    day = parse_date(iso)
    return date_format(day, "d/m/Y") if day else iso


def _long_day(iso: str) -> str:
    day = parse_date(iso)
    return date_format(day, "l j \\d\\e F \\d\\e Y") if day else iso


def participation_lines(mechanism: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """The "participation and places" cell of a mechanism, as sentences."""
    lines: list[str] = []
    events = mechanism["events"]
    if events is not None:
        lines.append(
            ngettext(
                "%(n)s event from %(from)s to %(to)s.",
                "%(n)s events from %(from)s to %(to)s.",
                events["count"],
            )
            % {
                "n": number(events["count"]),
                "from": _day(report["period"]["from"]),
                "to": _day(report["period"]["to"]),
            }
        )
        for event in events["listed"]:
            place = ", ".join(p for p in (event["venue"], event["municipality"]) if p)
            lines.append(
                _("%(day)s: %(name)s, %(place)s (%(department)s).")
                % {
                    "day": _long_day(event["starts_on"]),
                    "name": event["name"],
                    "place": place,
                    "department": event["department"],
                }
            )
        if events["centres"]:
            levels = "; ".join(
                f"{number(level['count'])} {level['name']}" for level in events["centres_by_level"]
            )
            lines.append(
                ngettext(
                    "%(n)s centre supported them (%(levels)s).",
                    "%(n)s centres supported them (%(levels)s).",
                    events["centres"],
                )
                % {"n": number(events["centres"]), "levels": levels}
            )
        if events["places"]:
            lines.append(
                ngettext("%(n)s place visited.", "%(n)s places visited.", events["places"])
                % {"n": number(events["places"])}
            )
            zones = [row for row in events["by_region"] if row["count"]]
            if len(zones) > 1:
                lines.append(
                    _("Places by zone: %(zones)s.")
                    % {
                        "zones": "; ".join(
                            f"{row['name']} {row['percent']}% ({number(row['count'])})"
                            for row in zones
                        )
                    }
                )
            if events["place_names"]:
                lines.append(_("Places: %(names)s.") % {"names": ", ".join(events["place_names"])})
        if events["attendance"]:
            lines.append(_("Attendance: %(n)s people.") % {"n": number(events["attendance"])})
        if events["services"]:
            lines.append(_("Services given: %(n)s.") % {"n": number(events["services"])})
    if mechanism["location"]:
        lines.append(mechanism["location"])
    opinions = mechanism["opinions"]
    if opinions is not None:
        lines.append(
            ngettext(
                "From %(from)s to %(to)s, %(n)s opinion was received.",
                "From %(from)s to %(to)s, %(n)s opinions were received.",
                opinions["count"],
            )
            % {
                "n": number(opinions["count"]),
                "from": _day(report["opinions_period"]["from"]),
                "to": _day(report["opinions_period"]["to"]),
            }
        )
    interactions = mechanism.get("interactions_by_network", [])
    if any(row["count"] for row in interactions):
        lines.append(
            _("Interactions: %(list)s.")
            % {
                "list": "; ".join(
                    f"{row['network']} {number(row['count'])}" for row in interactions
                )
            }
        )
    growth = [a for a in mechanism["accounts"] if a["growth"] is not None]
    if growth:
        lines.append(
            _("Followers: %(list)s.")
            % {
                "list": "; ".join(
                    _("%(account)s from %(first)s to %(last)s (%(growth)s)")
                    % {
                        "account": a["handle"] if a["network"] == "x" else a["network_name"],
                        "first": number(a["followers_from"]),
                        "last": number(a["followers_to"]),
                        "growth": f"{a['growth']:+,}",
                    }
                    for a in growth
                )
            }
        )
    return lines


def title(report: dict[str, Any]) -> str:
    if report["year"] is None:
        return _("Institutional participation mechanisms, %(from)s to %(to)s") % {
            "from": _day(report["period"]["from"]),
            "to": _day(report["period"]["to"]),
        }
    return _("Institutional participation mechanisms, %(year)s") % {"year": report["year"]}


def stated(report: dict[str, Any]) -> str:
    day = parse_date(report["stated_on"] or "")
    if day is not None:
        return _("As of %(day)s") % {"day": date_format(day, "F \\d\\e Y")}
    return _("Generated on %(day)s") % {"day": date_format(timezone.localdate(), "d/m/Y")}


def mechanisms_xlsx(report: dict[str, Any]) -> bytes:
    """One row per mechanism, as the seed's table; then one sheet of figures as numbers."""
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(_("Mechanisms")[:31])
    sheet.append([title(report)])
    sheet.append([stated(report)])
    header(
        sheet,
        [
            _("Mechanism"),
            _("Objective"),
            _("Requirements to take part"),
            _("Participation and places"),
            _("Source of information"),
        ],
    )
    for mechanism in report["mechanisms"]:
        cells = []
        for value in (
            mechanism["name"],
            mechanism["objective"],
            mechanism["requirements"],
            "\n".join(mechanism["participation"]),
            mechanism["source"],
        ):
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        sheet.append(cells)
    figures: WriteOnlyWorksheet = book.create_sheet(_("Figures")[:31])
    header(figures, [_("Mechanism"), _("Figure"), _("Value")])
    for mechanism in report["mechanisms"]:
        name = mechanism["name"]
        events = mechanism["events"]
        if events is not None:
            figures.append([name, _("Events"), events["count"]])
            figures.append([name, _("Supporting centres"), events["centres"]])
            figures.append([name, _("Places visited"), events["places"]])
            for row in events["by_region"]:
                figures.append([name, f"{_('Places')}: {row['name']}", row["count"]])
            figures.append([name, _("Attendance"), events["attendance"]])
            figures.append([name, _("Services given"), events["services"]])
        if mechanism["opinions"] is not None:
            figures.append([name, _("Opinions"), mechanism["opinions"]["count"]])
        for row in mechanism["interactions_by_network"]:
            figures.append([name, f"{_('Interactions')}: {row['network']}", row["count"]])
        for account in mechanism["accounts"]:
            if account["followers_from"] is not None:
                figures.append(
                    [
                        name,
                        f"{_('Followers')} {account['handle']} ({_('from')})",
                        account["followers_from"],
                    ]
                )
            if account["followers_to"] is not None:
                figures.append(
                    [
                        name,
                        f"{_('Followers')} {account['handle']} ({_('to')})",
                        account["followers_to"],
                    ]
                )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def mechanisms_pdf(report: dict[str, Any]) -> bytes:
    from enlace.reports.pdf import mechanisms_document

    return mechanisms_document(report, title(report), stated(report))


def default_year() -> int:
    """The last full year."""
    return timezone.localdate().year - 1


def report_window(year: int) -> Window:
    return Window(date(year, 1, 1), date(year, 12, 31))
