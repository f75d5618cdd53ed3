"""The historical import's rows out of a file (enlace/core/tabular.py reads CSV and XLSX; the
header must be the import's columns, `rows.COLUMNS`), or out of a program (`RowsSource`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from enlace.core.tabular import Source, TableFileError, Values, header_check
from enlace.core.tabular import open_source as open_table
from enlace.imports.rows import COLUMNS

# The whole file cannot be read: nothing is imported.
ImportFileError = TableFileError
check_header = header_check(COLUMNS)

__all__ = ["ImportFileError", "RowsSource", "Source", "check_header", "open_source"]


def open_source(stream: IO[bytes], name: str) -> Source:
    return open_table(stream, name, check_header)


class RowsSource:
    """Rows made by a program (demo data, tests): the same checks and path as a file's rows."""

    def __init__(self, rows: Iterable[Values], name: str, *, total: int = 0) -> None:
        self.name = name
        self.items = rows
        self.total = total
        self.index = 0

    def done(self) -> int:
        return self.index

    def rows(self) -> Iterator[tuple[int, Values]]:
        for index, values in enumerate(self.items, start=2):
            self.index = index - 1
            yield index, values
