"""How personal data reads to a role that does not need it. Pure: no database."""

import pytest

from enlace.privacy import masking


@pytest.mark.parametrize(
    ("mask", "value", "shown"),
    [
        (masking.dui, "04567890-1", "0456••••-1"),
        (masking.dui, "", ""),
        (masking.phone, "+50371234567", "••••-••67"),
        (masking.phone, "+14155550123", "••••-••23"),
        (masking.email, "maria.lopez@example.com", "m••••@example.com"),
        (masking.name, "María José Núñez", "M. J. N."),
        (masking.name, "", ""),
        (masking.affiliation, "123456789", "123••••••"),
    ],
)
def test_masks(mask, value, shown):
    assert mask(value) == shown
