import uuid

import pytest
from django.core.cache import cache

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clean_rate_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def form_data():
    """A complaint about Hospital General from a citizen who gave a phone and an email."""

    def make(**overrides):
        data = {
            "token": str(uuid.uuid4()),
            "what": "queja",
            "dependency": "HG",
            "topic": "",
            "description": "Esperé cinco horas en emergencia.",
            "name": "Marta Pérez",
            "dui": "",
            "phone": "7123-4567",
            "email": "marta@example.com",
            "website": "",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return make
