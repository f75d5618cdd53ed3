"""The rejected rows of an import, as a CSV a person can fix and import again: the file's own
columns, then the line number and every reason."""

from __future__ import annotations

import csv
from typing import IO, Any

from enlace.core.tabular import Problem
from enlace.imports.rows import COLUMNS, cell_text


class RejectedCsv:
    def __init__(self, stream: IO[str]) -> None:
        self.writer = csv.writer(stream)
        self.writer.writerow([*COLUMNS, "line", "reasons"])
        self.count = 0

    def __call__(self, line: int, values: dict[str, Any], problems: list[Problem]) -> None:
        reasons = "; ".join(
            f"{problem.column}: {problem.reason}" if problem.column else problem.reason
            for problem in problems
        )
        self.writer.writerow([*(cell_text(values.get(c)) for c in COLUMNS), line, reasons])
        self.count += 1
