"""Pure rules of the OIR without a database: how a citizen may type a request's number, and
how document numbers compare for tracking."""

import pytest

from enlace.oir.rules import format_number, identity_key, parse_number


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("OIR-2026-0001", (2026, 1)),
        (" oir-2026-0042 ", (2026, 42)),
        ("OIR 2026 - 7", (2026, 7)),  # spaces are ignored
        ("oir-2026- 7", (2026, 7)),
        ("2026-15", (2026, 15)),
        ("OIR-2026-0000", None),
        ("OIR-26-1", None),
        ("ACD23-EFH45", None),
        ("", None),
    ],
)
def test_a_number_as_a_citizen_may_type_it(typed, parsed):
    assert parse_number(typed) == parsed


def test_document_numbers_compare_by_letters_and_digits():
    assert identity_key("04567890-3") == identity_key(" 045678903 ") == "045678903"
    assert identity_key("a12 345") == "A12345"
    assert identity_key("--") == ""


def test_a_formatted_number_parses_back():
    for year, sequence in [(2026, 1), (2026, 9999), (2027, 12345)]:
        assert parse_number(format_number(year, sequence)) == (year, sequence)
