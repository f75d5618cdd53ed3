"""The pure rules: the words an item is found by, what a file is by its content, the trend's
buckets and the case's description. No database."""

from __future__ import annotations

from datetime import date

import pytest

from enlace.media import rules
from enlace.media.tests.factories import EXE, PDF, PNG


def test_stems_fold_accents_and_case_and_leave_stop_words_out():
    assert rules.stems("Los HOSPITALES de la Atención") == ["hospital", "atencion"]
    assert rules.stems("hospital hospitales") == ["hospital"]
    assert rules.query_stems("atencion") == rules.query_stems("Atención") == ["atencion"]
    assert rules.query_words("de la y el") == []


def test_the_stored_stems_are_whole_words_between_spaces():
    stored = rules.search_stems("Falta de medicamentos", "", "La Prensa Gráfica")
    assert stored == " falt medicament prens grafic "
    assert rules.search_stems("", "", "") == ""
    assert rules.search_text("Atención", "", "Canal 12") == "atencion canal 12"


def test_a_query_keeps_a_bounded_number_of_words():
    assert len(rules.query_words("palabra " * 100)) <= rules.MAX_QUERY_WORDS


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100, "image/jpeg"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 100, "audio/mpeg"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 100, "video/mp4"),
        (EXE, None),
        (b"<!DOCTYPE html><html></html>", None),
        (b"PK\x03\x04" + b"\x00" * 100, None),  # a zip (or an office file)
        (b"", None),
    ],
)
def test_a_file_is_what_its_first_bytes_are(head, expected):
    assert rules.sniff(head) == expected


def test_the_download_name_has_no_path_nor_quotes():
    assert rules.safe_file_name('../../etc/"pass"wd.pdf') == "passwd.pdf"
    assert rules.safe_file_name("C:\\tmp\\nota.pdf") == "nota.pdf"
    assert rules.safe_file_name("") == "recorte"


def test_the_trend_is_weekly_for_short_periods_and_monthly_otherwise():
    assert rules.trend_unit(date(2026, 1, 1), date(2026, 3, 31)) == rules.Unit.WEEK
    assert rules.trend_unit(date(2026, 1, 1), date(2026, 6, 30)) == rules.Unit.MONTH
    assert rules.buckets(date(2025, 11, 15), date(2026, 2, 1), rules.Unit.MONTH) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert rules.buckets(date(2026, 1, 1), date(2026, 1, 12), rules.Unit.WEEK) == [
        date(2025, 12, 29),
        date(2026, 1, 5),
        date(2026, 1, 12),
    ]


def test_the_case_says_where_and_when_it_was_published():
    text = rules.case_description(
        rules.Publication(
            outlet="Canal 12",
            medium="tv",
            published_on=date(2026, 3, 4),
            headline=" Largas filas en farmacia ",
            summary="",
            url="https://canal12.com.sv/nota",
        )
    )
    assert text.splitlines()[0] == "Publicado en Canal 12 (televisión) el 04/03/2026:"
    assert "«Largas filas en farmacia»" in text
    assert "https://canal12.com.sv/nota" in text
