"""The steps a user may take on a case or an information request, registered in one shape.

A domain declares its registry in `steps.py` (`CASE_STEPS`, `REQUEST_STEPS`): for each slug,
the capability it needs, the form that parses what was posted, the action it performs, when it
is offered, and the words the page shows. The console's views and the API both read the same
registry, so a rule cannot differ between them; a higher layer adds its own steps from its
`ready()` (the channels add "reply to the citizen on their channel").

    CASE_STEPS.add("acusar", Step(capability=..., form_class=NoteForm, perform=..., ...))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django_stubs_ext import StrOrPromise

Subject = TypeVar("Subject")


@dataclass(frozen=True)
class Step(Generic[Subject]):
    # What the user must be allowed (the registry's `may` decides), for this subject.
    capability: str | Callable[[Subject], str]
    form_class: Callable[..., forms.Form]  # called with the data and the domain's own arguments
    # Calls exactly one action with the form's cleaned data and the acting user.
    perform: Callable[[Subject, dict[str, Any], Any], object]
    done: StrOrPromise  # the success message
    # Whether the subject's state allows it now (the page offers it only then).
    offered: Callable[[Subject], bool]
    title: StrOrPromise = ""
    button: StrOrPromise = ""
    # The status it moves the subject to, if one: refused with the lifecycle's own message.
    target: str | None = None
    # Kept folded on the page (housekeeping rather than the next step).
    secondary: bool = False
    # The form's starting values for this subject.
    initial: Callable[[Subject], dict[str, Any]] | None = None

    def needs(self, subject: Subject) -> str:
        return self.capability(subject) if callable(self.capability) else self.capability

    def initial_for(self, subject: Subject) -> dict[str, Any]:
        return self.initial(subject) if self.initial is not None else {}


class Steps(Generic[Subject]):
    """An ordered registry of steps; `may(user, subject, capability)` is the domain's own
    access rule."""

    def __init__(self, may: Callable[[Any, Subject, str], bool]) -> None:
        self._may = may
        self._steps: dict[str, Step[Subject]] = {}

    def add(self, slug: str, step: Step[Subject], *, before: str | None = None) -> None:
        """Register `step` under `slug`, last or before another slug."""
        steps = {key: value for key, value in self._steps.items() if key != slug}
        if before is None or before not in steps:
            steps[slug] = step
        else:
            ordered: dict[str, Step[Subject]] = {}
            for key, value in steps.items():
                if key == before:
                    ordered[slug] = step
                ordered[key] = value
            steps = ordered
        self._steps = steps

    def get(self, slug: str) -> Step[Subject] | None:
        return self._steps.get(slug)

    def __getitem__(self, slug: str) -> Step[Subject]:
        return self._steps[slug]

    def __contains__(self, slug: object) -> bool:
        return slug in self._steps

    def __iter__(self) -> Iterator[str]:
        return iter(self._steps)

    def items(self) -> list[tuple[str, Step[Subject]]]:
        return list(self._steps.items())

    def allowed(self, user: Any, subject: Subject, step: Step[Subject]) -> bool:
        """Whether `user` may take `step` on `subject` (whatever its state)."""
        return self._may(user, subject, step.needs(subject))

    def offered(self, user: Any, subject: Subject) -> list[tuple[str, Step[Subject]]]:
        """The steps `user` may take on `subject` now, in order."""
        return [
            (slug, step)
            for slug, step in self._steps.items()
            if self.allowed(user, subject, step) and step.offered(subject)
        ]
