"""Every write of the suggestion boxes: an opening before witnesses, a corrected count, and
the batch transcription of its forms (each stored first as an InboundMessage of the `buzon`
plug-in, then processed into a case)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.actions import Citizen
from enlace.cases.permissions import Capability, has_capability
from enlace.channels.actions import do_process_message, do_receive_message
from enlace.channels.buzon.plugin import PLUGIN_CODE
from enlace.channels.models import InboundMessage, InboundStatus
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.suggestionbox.models import BoxForm, BoxOpening, CountCorrection

MIN_WITNESSES = 2


@dataclass(frozen=True)
class Witness:
    name: str
    role: str


@dataclass(frozen=True)
class Opening:
    dependency: Dependency
    opened_on: date
    witnesses: list[Witness]
    forms_found: int
    notes: str = ""


@dataclass(frozen=True)
class TranscribedForm:
    """One form as typed: its number in the opening, what it says, who wrote it."""

    number: int
    description: str
    dependency: Dependency
    opinion_type: str = ""  # a catalogue code; empty: registered to classify
    citizen: Citizen = field(default_factory=Citizen)


def _check_capability(user: User) -> None:
    if not has_capability(user, Capability.OPEN_BOX):
        raise BusinessError(_("Your role does not open suggestion boxes."), code="forbidden")


def do_open_box(data: Opening, *, acting_user: User) -> BoxOpening:
    _check_capability(acting_user)
    witnesses = [w for w in data.witnesses if w.name.strip() and w.role.strip()]
    if len(witnesses) < MIN_WITNESSES or len(witnesses) != len(data.witnesses):
        raise BusinessError(
            _("An opening needs at least two witnesses, each with a name and a role."),
            field="witnesses",
        )
    if data.forms_found < 0:
        raise BusinessError(_("Count the forms found in the box."), field="forms_found")
    if data.opened_on > timezone.localdate():
        raise BusinessError(_("The opening cannot be in the future."), field="opened_on")
    if not data.dependency.is_active:
        raise BusinessError(_("That centre is no longer active."), field="dependency")
    return BoxOpening.objects.create(
        dependency=data.dependency,
        opened_on=data.opened_on,
        witnesses=[{"name": w.name.strip(), "role": w.role.strip()} for w in witnesses],
        forms_found=data.forms_found,
        opened_by=acting_user,
        notes=data.notes.strip(),
    )


def do_correct_count(
    opening: BoxOpening, forms_found: int, reason: str, *, acting_user: User
) -> BoxOpening:
    """A new count of forms found, with the reason (kept as a row)."""
    _check_capability(acting_user)
    if not reason.strip():
        raise BusinessError(_("Say why the count changes."), field="reason")
    with transaction.atomic():
        opening = BoxOpening.objects.select_for_update().get(pk=opening.pk)
        transcribed = BoxForm.objects.filter(opening=opening).count()
        if forms_found < transcribed:
            raise BusinessError(
                _("%(count)s forms are already transcribed: the count cannot be lower.")
                % {"count": transcribed},
                field="forms_found",
            )
        if forms_found == opening.forms_found:
            raise BusinessError(_("Nothing changed."), field="forms_found")
        CountCorrection.objects.create(
            opening=opening,
            from_count=opening.forms_found,
            to_count=forms_found,
            reason=reason.strip(),
            by=acting_user,
        )
        opening.forms_found = forms_found
        opening.save(update_fields=["forms_found"])
    return opening


def external_id(opening: BoxOpening, number: int) -> str:
    return f"{opening.pk}:{number}"


def do_transcribe_forms(
    opening: BoxOpening, forms: list[TranscribedForm], *, acting_user: User
) -> list[InboundMessage]:
    """Store each form as it was typed (once per opening and form number: the same batch posted
    again stores nothing more), then process each into a case. A number beyond the count of
    forms found is refused for the whole batch: correct the count first, with a reason."""
    _check_capability(acting_user)
    numbers = [form.number for form in forms]
    if len(set(numbers)) != len(numbers):
        raise BusinessError(_("Each form has its own number."))
    with transaction.atomic():
        opening = BoxOpening.objects.select_for_update().get(pk=opening.pk)
        too_far = [n for n in numbers if n < 1 or n > opening.forms_found]
        if too_far:
            raise BusinessError(
                _(
                    "Only %(found)s forms were found in this box: correct the count, with the "
                    "reason, before transcribing more."
                )
                % {"found": opening.forms_found},
                code="over_count",
            )
        messages = []
        for form in forms:
            body = {
                "opening": opening.pk,
                "number": form.number,
                "description": form.description,
                "dependency": form.dependency.code,
                "opinion_type": form.opinion_type,
                "citizen": asdict(form.citizen),
                "transcribed_by": acting_user.pk,
            }
            message, _created = do_receive_message(
                PLUGIN_CODE,
                external_id(opening, form.number),
                body=json.dumps(body, ensure_ascii=False),
                sender=form.citizen.phone or form.citizen.name,
                process=False,  # processed below, in this request
            )
            messages.append(message)
    for message in messages:
        if message.status == InboundStatus.PENDING:
            do_process_message(message.pk)
            message.refresh_from_db()
    return messages
