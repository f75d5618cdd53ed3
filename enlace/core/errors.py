"""The one business-error type.

Actions raise `BusinessError` when a request is well-formed but not allowed by the rules (an
unknown centre, a transition the lifecycle forbids). Views render it as a form error or an
HTTP 4xx with the translated message; nothing stored changes, since actions validate before
they write and run inside one transaction.
"""

from __future__ import annotations

from django.utils.functional import Promise


class BusinessError(Exception):
    def __init__(self, message: str | Promise, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
