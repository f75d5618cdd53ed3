"""What the workbooks of the reports share (openpyxl, write-only sheets): a header row in bold
and a percentage written as the fraction it is, formatted 0.00 %, so analysts compute with it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

PERCENT = "0.00%"


def fraction(sheet: WriteOnlyWorksheet, percent: str | Decimal) -> Any:
    """A cell holding `percent` (a share as "12.34") as the fraction 0.1234, shown 12.34 %."""
    cell = WriteOnlyCell(sheet, value=float(Decimal(percent) / Decimal(100)))
    cell.number_format = PERCENT
    return cell


def header(sheet: WriteOnlyWorksheet, texts: list[str]) -> None:
    """Append a row of `texts` in bold."""
    bold = Font(bold=True)
    cells = []
    for text in texts:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
