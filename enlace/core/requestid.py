"""The request id: one id per request, in every log line it causes, echoed to the client in
`X-Request-ID`, and carried into the background tasks it enqueues.

The id comes from an incoming `X-Request-ID` (a proxy's or a client's) when it is sane (1 to 64
letters, digits, `-`, `_`, `.`), otherwise it is generated. It lives in a context variable, so
it follows the request through threads' and tasks' code without being passed by hand:

- `RequestIdMiddleware` sets it for a request and echoes it;
- `RequestIdFilter` puts it on every log record (`record.request_id`, "-" when none);
- `task()` makes a django-tasks Task whose `enqueue` adds the current id to the task's
  keyword arguments (JSON, so the database queue and RQ both carry it) and whose function
  runs with it set again in the worker.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django_tasks.base import DEFAULT_TASK_PRIORITY, DEFAULT_TASK_QUEUE_NAME, Task, TaskResult

HEADER = "X-Request-ID"
TASK_KWARG = "request_id"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

_current: ContextVar[str | None] = ContextVar("enlace_request_id", default=None)

P = ParamSpec("P")
T = TypeVar("T")


def current() -> str | None:
    return _current.get()


def sane(value: str | None) -> str | None:
    """The value if it may be used as an id as it is (and written to logs and headers)."""
    return value if value is not None and _SANE.fullmatch(value) else None


def new_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def bound(request_id: str | None) -> Iterator[None]:
    """Run a block with `request_id` as the current id."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """Sets the request's id (the incoming header's if sane, else a new one) and echoes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane(request.headers.get(HEADER)) or new_id()
        # Left set after the middleware returns: Django logs a 4xx/5xx response after every
        # middleware (django.request), and that line must carry the id too. It is cleared
        # when the response is finished (`request_finished`, below).
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _clear(**kwargs: object) -> None:
    _current.set(None)


request_finished.connect(_clear, dispatch_uid="enlace.core.requestid.clear")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current() or "-"
        return True


@dataclass(frozen=True, kw_only=True)
class TracedTask(Task[P, T]):
    """A Task whose enqueueing carries the current request id to the worker (the request's
    id, or the id of the task that enqueues it)."""

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> TaskResult[T]:
        request_id = current()
        if request_id is not None:
            kwargs[TASK_KWARG] = request_id
        return Task.enqueue(self, *args, **kwargs)

    async def aenqueue(self, *args: P.args, **kwargs: P.kwargs) -> TaskResult[T]:
        request_id = current()
        if request_id is not None:
            kwargs[TASK_KWARG] = request_id
        return await Task.aenqueue(self, *args, **kwargs)


def task(
    *, priority: int = DEFAULT_TASK_PRIORITY, queue_name: str = DEFAULT_TASK_QUEUE_NAME
) -> Callable[[Callable[P, T]], TracedTask[P, T]]:
    """`django_tasks.task()` for Enlace's tasks: the request id is carried to the worker and
    bound while the function runs (its log lines name the request that enqueued it)."""

    def decorate(function: Callable[P, T]) -> TracedTask[P, T]:
        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            request_id = sane(str(kwargs.pop(TASK_KWARG, "")) or None)
            with bound(request_id or current()):
                return function(*args, **kwargs)

        return TracedTask(priority=priority, func=run, queue_name=queue_name)

    return decorate
