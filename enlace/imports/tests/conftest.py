"""Fixtures of the imports' web tests: stored files under a temporary media root, and the
administrator who loads history."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def importer(db):
    """Loading history is an administrator's task (an analyst reads figures, not people)."""
    from conftest import make_user

    return make_user("importador", "administrator")
