"""Rows out of a spreadsheet a person uploads, one at a time: CSV (UTF-8, comma or semicolon)
or XLSX, told apart by their content, not their name. Memory stays bounded whatever the file's
size: CSV is read line by line with a cap on a line's length, XLSX through openpyxl's read-only
(streaming) mode. What the header must hold is the caller's (`HeaderCheck`): the historical
import of cases (enlace/imports) and a campaign's contact list (enlace/campaigns) each have
their own columns. Problems name their line and column."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.utils.translation import gettext as _

MAX_LINE = 1_000_000  # characters: a longer line is a broken file, not a row
XLSX_MAGIC = b"PK\x03\x04"

Values = dict[str, Any]
# The header's cells -> its column names (normalised), or TableFileError.
HeaderCheck = Callable[[list[Any]], list[str]]


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file) cannot be taken: its line, the column at fault, the reason."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line}
        if self.column:
            where += ", " + _("column %(column)s") % {"column": self.column}
        return f"{where}: {self.reason}"


class TableFileError(Exception):
    """The file as a whole cannot be read: nothing is taken from it."""

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


def normalise_header(header: list[Any]) -> list[str]:
    return [str(cell or "").strip().lower().lstrip("\ufeff") for cell in header]


def header_check(
    required: Sequence[str], optional: Sequence[str] = (), *, extra: bool = False
) -> HeaderCheck:
    """A check of the header: every `required` column, no column twice, and no column outside
    `required` and `optional` unless `extra` (a campaign's own columns)."""

    def check(header: list[Any]) -> list[str]:
        columns = normalise_header(header)
        known = (*required, *optional)
        missing = [c for c in required if c not in columns]
        repeated = sorted({c for c in columns if c and columns.count(c) > 1})
        problems = []
        if missing:
            problems.append(
                Problem(1, "", _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
            )
        if not extra:
            expected = ",".join(known)
            problems += [
                Problem(
                    1, column, _("Unknown column; the header must be: %(h)s.") % {"h": expected}
                )
                for column in columns
                if column and column not in known
            ]
        problems += [Problem(1, column, _("The column appears twice.")) for column in repeated]
        if problems:
            raise TableFileError(problems)
        return columns

    return check


class CsvSource:
    def __init__(self, stream: IO[bytes], name: str, check: HeaderCheck) -> None:
        self.name = name
        self.stream = stream
        self.check = check
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
                raise TableFileError(
                    [Problem(self.line + 1, "", _("The file is not UTF-8 text."))]
                ) from None
            if not text:
                return
            self.line += 1
            if len(text) >= MAX_LINE and not text.endswith("\n"):
                raise TableFileError([Problem(self.line, "", _("The line is too long."))])
            yield text

    def rows(self) -> Iterator[tuple[int, Values]]:
        lines = self._lines()
        first = next(lines, "")
        if not first.strip():
            raise TableFileError([Problem(1, "", _("The file is empty."))])
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(_chain(first, lines), delimiter=delimiter)
        try:
            columns = self.check(next(reader))
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                line = reader.line_num
                if len(cells) != len(columns):
                    values: Values = dict(zip(columns, cells, strict=False))
                    values["__problem__"] = _("%(n)s fields where the header has %(m)s.") % {
                        "n": len(cells),
                        "m": len(columns),
                    }
                    yield line, values
                    continue
                yield line, dict(zip(columns, cells, strict=True))
        except csv.Error as error:
            raise TableFileError([Problem(reader.line_num, "", str(error))]) from None


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


class XlsxSource:
    def __init__(self, stream: IO[bytes], name: str, check: HeaderCheck) -> None:
        from openpyxl import load_workbook  # only XLSX files pay for importing openpyxl

        self.name = name
        self.check = check
        try:
            self.book = load_workbook(stream, read_only=True, data_only=True)
            self.sheet: Any = self.book.worksheets[0]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
            raise TableFileError(
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
                raise TableFileError([Problem(1, "", _("The file is empty."))])
            columns = self.check(list(header))
            self.line = 1
            for row in cells:
                self.line += 1
                if not any(cell not in (None, "") for cell in row):
                    continue
                yield self.line, dict(zip(columns, row, strict=False))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise TableFileError(
                [Problem(self.line, "", _("The workbook is damaged: %(e)s") % {"e": error})]
            ) from None
        finally:
            self.book.close()


def open_source(stream: IO[bytes], name: str, check: HeaderCheck) -> Source:
    """The reader for what the file holds: its first bytes tell XLSX from CSV."""
    head = stream.read(4)
    stream.seek(0)
    if head == XLSX_MAGIC:
        return XlsxSource(stream, name, check)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        raise TableFileError([Problem(1, "", _("The file is UTF-16 text; save it as CSV UTF-8."))])
    return CsvSource(stream, name, check)
