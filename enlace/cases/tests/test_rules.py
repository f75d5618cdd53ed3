"""Pure rules, tested without a database."""

import pytest
from django.core.exceptions import ValidationError

from enlace.cases.lifecycle import CaseStatus, can_transition, check_transition
from enlace.cases.rules import (
    TRACKING_ALPHABET,
    dui_check_digit,
    dui_key,
    fold,
    format_phone,
    format_tracking_code,
    new_tracking_code,
    normalise_affiliation,
    normalise_dui,
    normalise_phone,
    normalise_tracking_code,
    search_words,
)
from enlace.core.errors import BusinessError


def test_it_computes_the_dui_check_digit():
    # 0*9 + 0*8 + 0*7 + 1*6 + 6*5 + 2*4 + 9*3 + 7*2 = 85 -> 10 - 5 = 5
    assert dui_check_digit("00016297") == 5
    assert normalise_dui("00016297-5") == "00016297-5"
    assert normalise_dui(" 000162975 ") == "00016297-5"


def test_it_computes_a_zero_check_digit_when_the_sum_is_a_multiple_of_ten():
    body = next(f"{n:08d}" for n in range(1000, 100000) if dui_check_digit(f"{n:08d}") == 0)
    assert normalise_dui(f"{body}-0") == f"{body}-0"


@pytest.mark.parametrize("text", ["00016297-4", "1234567-8", "abcdefgh-1", "", "000162975-1"])
def test_it_rejects_a_bad_dui(text):
    with pytest.raises(ValidationError):
        normalise_dui(text)


def test_a_dui_search_key_ignores_the_check_digit():
    assert dui_key("000162974") == "00016297-4"
    assert dui_key("hola") is None


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("7123-4567", "+50371234567"),
        ("2222 0000", "+50322220000"),
        ("+503 6012 3456", "+50360123456"),
    ],
)
def test_it_normalises_salvadoran_phones(text, e164):
    assert normalise_phone(text) == e164
    assert format_phone(e164) == f"{e164[4:8]}-{e164[8:]}"


@pytest.mark.parametrize(
    "text", ["1234-5678", "7123456", "+1 212 555 0100", "teléfono", "9123-4567"]
)
def test_it_rejects_phones_that_are_not_salvadoran(text):
    with pytest.raises(ValidationError):
        normalise_phone(text)


def test_affiliation_numbers_are_digits():
    assert normalise_affiliation("123 456 789") == "123456789"
    with pytest.raises(ValidationError):
        normalise_affiliation("12AB")


def test_tracking_codes_use_the_unambiguous_alphabet_and_do_not_repeat():
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(TRACKING_ALPHABET)
    assert not set(TRACKING_ALPHABET) & set("0O1IBVSZNGYUW")


def test_a_dictated_tracking_code_is_normalised():
    assert normalise_tracking_code("ac3de-fh4jk") == "AC3DEFH4JK"
    assert normalise_tracking_code("AC3DE FH4JK") == "AC3DEFH4JK"
    assert normalise_tracking_code("AC3DE-FH4J") is None
    assert normalise_tracking_code("medicament") is None
    assert format_tracking_code("AC3DEFH4JK") == "AC3DE-FH4JK"


def test_folding_removes_accents_and_case():
    assert fold("Atención MÉDICA en Ñuñoa") == "atencion medica en nunoa"
    assert search_words("¿Dónde está la farmacia?") == ["donde", "esta", "la", "farmacia"]
    # Marks typed apart, other scripts, ligatures and case folding beyond lower().
    assert fold("Jose\u0301 Nun\u0303ez") == "jose nunez"
    assert fold("Ελληνικά Straße ﬁn") == "ελληνικα strasse fin"
    assert fold("Tiếng Việt 😀") == "tieng viet 😀"


def test_the_lifecycle_allows_only_listed_transitions():
    assert can_transition(CaseStatus.RECEIVED, CaseStatus.ASSIGNED)
    assert can_transition(CaseStatus.ASSIGNED, CaseStatus.CLOSED)
    assert can_transition(CaseStatus.CLOSED, CaseStatus.REOPENED)
    assert not can_transition(CaseStatus.CLOSED, CaseStatus.ASSIGNED)
    assert not can_transition(CaseStatus.VOID, CaseStatus.RECEIVED)
    with pytest.raises(BusinessError):
        check_transition(CaseStatus.MERGED, CaseStatus.CLOSED)
