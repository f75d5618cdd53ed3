"""Rows out of a file, one at a time: CSV (UTF-8, comma or semicolon) or XLSX, told apart by
their content, not their name. Memory stays bounded whatever the file's size: CSV is read line
by line with a cap on a line's length, XLSX through openpyxl's read-only (streaming) mode."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any, Protocol

from django.utils.translation import gettext as _

from enlace.imports.rows import COLUMNS, Problem

MAX_LINE = 1_000_000  # characters: a longer line is a broken file, not a case
XLSX_MAGIC = b"PK\x03\x04"

Values = dict[str, Any]


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing is imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Source(Protocol):
    name: str
    total: int  # progress units in the whole source (bytes or rows); 0 if unknown

    def done(self) -> int:
        """Progress units read so far."""
        ...

    def rows(self) -> Iterator[tuple[int, Values]]:
        """(line number, raw values by column) for each row after the header."""
        ...


def check_header(header: list[str]) -> list[str]:
    """The header's columns, normalised, or ImportFileError naming what is missing or unknown."""
    columns = [str(cell or "").strip().lower().lstrip("\ufeff") for cell in header]
    missing = [c for c in COLUMNS if c not in columns]
    unknown = [c for c in columns if c and c not in COLUMNS]
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    expected = ",".join(COLUMNS)
    problems = []
    if missing:
        problems.append(
            Problem(1, "", _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
    problems += [
        Problem(1, column, _("Unknown column; the header must be: %(h)s.") % {"h": expected})
        for column in unknown
    ]
    problems += [Problem(1, column, _("The column appears twice.")) for column in repeated]
    if problems:
        raise ImportFileError(problems)
    return columns


class CsvSource:
    def __init__(self, stream: IO[bytes], name: str) -> None:
        self.name = name
        self.stream = stream
        try:
            self.total = os.fstat(stream.fileno()).st_size
        except (OSError, AttributeError, io.UnsupportedOperation):
            self.total = 0
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        self.line = 0

    def done(self) -> int:
        try:
            return self.stream.tell()
        except (OSError, ValueError):
            return 0

    def _lines(self) -> Iterator[str]:
        while True:
            try:
                text = self.text.readline(MAX_LINE)
            except UnicodeDecodeError:
                raise ImportFileError(
                    [Problem(self.line + 1, "", _("The file is not UTF-8 text."))]
                ) from None
            if not text:
                return
            self.line += 1
            if len(text) >= MAX_LINE and not text.endswith("\n"):
                raise ImportFileError(
                    [Problem(self.line, "", _("The line is too long for a case."))]
                )
            yield text

    def rows(self) -> Iterator[tuple[int, Values]]:
        lines = self._lines()
        first = next(lines, "")
        if not first.strip():
            raise ImportFileError([Problem(1, "", _("The file is empty."))])
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(_chain(first, lines), delimiter=delimiter)
        try:
            columns = check_header(next(reader))
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                line = reader.line_num
                if len(cells) != len(columns):
                    values: Values = dict(zip(COLUMNS, cells, strict=False))
                    values["__problem__"] = _("%(n)s fields where the header has %(m)s.") % {
                        "n": len(cells),
                        "m": len(columns),
                    }
                    yield line, values
                    continue
                yield line, dict(zip(columns, cells, strict=True))
        except csv.Error as error:
            raise ImportFileError([Problem(reader.line_num, "", str(error))]) from None


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


class XlsxSource:
    def __init__(self, stream: IO[bytes], name: str) -> None:
        from openpyxl import load_workbook  # only XLSX imports pay for importing openpyxl

        self.name = name
        try:
            self.book = load_workbook(stream, read_only=True, data_only=True)
            self.sheet: Any = self.book.worksheets[0]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
            raise ImportFileError(
                [Problem(1, "", _("The file is not a valid XLSX workbook."))]
            ) from None
        self.total = int(self.sheet.max_row or 0)
        self.line = 0

    def done(self) -> int:
        return self.line

    def rows(self) -> Iterator[tuple[int, Values]]:
        try:
            cells = self.sheet.iter_rows(values_only=True)
            header = next(cells, None)
            if header is None:
                raise ImportFileError([Problem(1, "", _("The file is empty."))])
            columns = check_header(list(header))
            self.line = 1
            for row in cells:
                self.line += 1
                if not any(cell not in (None, "") for cell in row):
                    continue
                yield self.line, dict(zip(columns, row, strict=False))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise ImportFileError(
                [Problem(self.line, "", _("The workbook is damaged: %(e)s") % {"e": error})]
            ) from None
        finally:
            self.book.close()


def open_source(stream: IO[bytes], name: str) -> Source:
    """The reader for what the file holds: its first bytes tell XLSX from CSV."""
    head = stream.read(4)
    stream.seek(0)
    if head == XLSX_MAGIC:
        return XlsxSource(stream, name)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        raise ImportFileError([Problem(1, "", _("The file is UTF-16 text; save it as CSV UTF-8."))])
    return CsvSource(stream, name)


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
