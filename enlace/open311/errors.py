"""The one error of the Open311 endpoints: an HTTP status and a sentence, rendered as the
specification's list of {code, description} in the request's format."""

from __future__ import annotations

from django.utils.functional import Promise


class Open311Error(Exception):
    def __init__(self, status: int, description: str | Promise):
        super().__init__(str(description))
        self.status = status
        self.description = str(description)
