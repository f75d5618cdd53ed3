"""The results of a study as an XLSX workbook: numbers as numbers (percentages as fractions
formatted 0.00 %, the very figures `study_results()` computed), a suppressed figure as an empty
cell with the flag beside it, so analysts can compute with them and the workbook agrees with
the page and the PDF."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enlace.core.xlsx import fraction, header

# The figures of each kind, in the columns' order, and whether each is a percentage.
FIGURE_COLUMNS: dict[str, list[tuple[str, bool]]] = {
    "scale": [
        ("csat", True),
        ("csat_low", True),
        ("csat_high", True),
        ("mean", False),
        ("mean_low", False),
        ("mean_high", False),
    ],
    "nps": [
        ("nps", False),
        ("nps_low", False),
        ("nps_high", False),
        ("promoters", True),
        ("passives", True),
        ("detractors", True),
    ],
    "fft": [("positive", True), ("negative", True)],
    "yes_no": [("yes", True), ("answered_yes_or_no", False)],
    "number": [("mean", False), ("mean_low", False), ("mean_high", False)],
}


def _value(sheet: WriteOnlyWorksheet, value: Any, percent: bool = False) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        number = Decimal(value)
        return fraction(sheet, number) if percent else float(number)
    return value


def _flags(cell: dict[str, Any]) -> list[str]:
    return ["x" if cell["suppressed"] else "", "x" if cell["unreliable"] else ""]


def results_xlsx(results: dict[str, Any]) -> bytes:
    book = Workbook(write_only=True)
    study, responses = results["study"], results["responses"]
    summary: WriteOnlyWorksheet = book.create_sheet(_("Summary")[:31])
    header(summary, [_("Study"), study["name"]])
    summary.append([_("Period"), f"{study['period']['from']} - {study['period']['to']}"])
    summary.append([_("Instrument"), f"{study['instrument']} v{study['version']}"])
    summary.append(
        [
            _("Fewer answers than this: not shown"),
            results["thresholds"]["suppress_below"],
        ]
    )
    summary.append(
        [_("Fewer answers than this: unreliable"), results["thresholds"]["unreliable_below"]]
    )
    summary.append([])
    header(
        summary,
        [_("Code"), _("Centre"), _("Level of care"), _("Responses"), _("Target"), _("Rate")],
    )
    for row in responses["by_centre"]:
        summary.append(
            [
                row["code"],
                row["name"],
                row["level_of_care"],
                row["count"],
                row["target"],
                _value(summary, row["rate"], percent=True),
            ]
        )
    summary.append(
        [
            "",
            _("Total"),
            "",
            responses["count"],
            responses["target"],
            _value(summary, responses["rate"], percent=True),
        ]
    )

    # One line per question and cell (the whole study, each centre, each level of care).
    figures: WriteOnlyWorksheet = book.create_sheet(_("Figures")[:31])
    all_keys = [key for columns in FIGURE_COLUMNS.values() for key, _p in columns]
    keys = list(dict.fromkeys(all_keys))
    percent_keys = {key for columns in FIGURE_COLUMNS.values() for key, p in columns if p}
    header(
        figures,
        [
            _("Question"),
            _("Kind"),
            _("Scope"),
            _("Code"),
            "n",
            _("Not shown"),
            _("Unreliable"),
            *keys,
        ],
    )
    for question in results["questions"]:
        cells = [
            ("total", "", question),
            *(("centre", cell["code"], cell) for cell in question["by_centre"]),
            *(("level_of_care", cell["code"], cell) for cell in question["by_level_of_care"]),
        ]
        for scope, code, cell in cells:
            found = cell["figures"]
            figures.append(
                [
                    question["code"],
                    question["kind"],
                    scope,
                    code,
                    cell["n"],
                    *_flags(cell),
                    *(_value(figures, found.get(key), key in percent_keys) for key in keys),
                ]
            )

    distributions: WriteOnlyWorksheet = book.create_sheet(_("Distributions")[:31])
    header(distributions, [_("Question"), _("Value"), _("Answer"), _("Total"), "%"])
    for question in results["questions"]:
        for row in question["distribution"]:
            distributions.append(
                [
                    question["code"],
                    row["value"],
                    row["label"],
                    row["count"],
                    _value(distributions, row["percent"], percent=True),
                ]
            )

    checklist = results["checklist"]
    if checklist:
        scores: WriteOnlyWorksheet = book.create_sheet(_("Checklist")[:31])
        columns = [
            "evaluations",
            "scored",
            "mean_score",
            "mean_score_low",
            "mean_score_high",
            "failed",
            "critical_items_failed",
        ]
        header(scores, [_("Code"), _("Centre"), _("Not shown"), _("Unreliable"), *columns])
        for row in [*checklist["by_centre"], checklist | {"code": "", "name": _("Total")}]:
            scores.append(
                [
                    row["code"],
                    row["name"],
                    *_flags(row),
                    *(
                        _value(scores, row[key], percent=key.startswith("mean_score"))
                        for key in columns
                    ),
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
