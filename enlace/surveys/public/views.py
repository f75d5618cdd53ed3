"""The public questionnaire: a citizen answers a study without logging in, by the unique link
of an invitation (one response per invitation, enforced by `do_submit_response` under a row
lock) or by a centre's QR code (one response per device a day: a random id in a signed,
HttpOnly cookie, whose SHA-256 with the study is `Response.device_key`, under a unique
constraint). Answers sent are rate limited per address (scope "survey").

Anonymous by default: no name, DUI or contact is asked. The token in the URL is the only key;
the access log names the route, never the path (enlace/ops/metrics.py), and nothing here logs.

Without JavaScript every question shows and the server drops the answers of questions hidden by
their condition; enlace/surveys/static/surveys/public.js hides and shows them as the citizen
answers. An answer with an error comes back with every value typed, the message beside its
question, and the focus on it; a response stored redirects to the thank-you page."""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from enlace.accounts.models import User
from enlace.core import ratelimit
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.surveys import queries
from enlace.surveys.actions.invitations import find_invitation
from enlace.surveys.actions.responses import (
    InvalidAnswers,
    Origin,
    Questionnaire,
    check_open,
    do_submit_response,
)
from enlace.surveys.forms import uploads_of
from enlace.surveys.models import (
    FriendsAndFamily,
    Invitation,
    Question,
    QuestionKind,
    Response,
    ResponseMode,
    Study,
    StudyCentre,
    YesNo,
)
from enlace.surveys.rules import LONG_TEXT_MAX, SHORT_TEXT_MAX

RATE_SCOPE = "survey"
DEVICE_COOKIE = "enlace_encuesta"
DEVICE_SALT = "enlace.surveys.public.device"
DEVICE_MAX_AGE = 400 * 24 * 60 * 60  # what browsers keep at most
TOKEN_MAX = 100
NOT_ANSWERS = frozenset({"csrfmiddlewaretoken"})

# What a refusal answers: its HTTP status, by the reason shown.
NOTICE_STATUS = {
    "unknown": 404,  # no such link or poster
    "closed": 410,  # the study takes no more responses (closed, out of period, centre left)
    "expired": 410,  # the invitation's time ran out
    "answered": 409,  # this invitation, or this device today, has already answered
}


# --- What the form shows ---------------------------------------------------------------------
@dataclass
class Control:
    """One question as the form shows it, with what was sent and its error."""

    question: Question
    control: str  # radios, scale, checkboxes, number, date, text, textarea, photo
    options: list[tuple[str, str]]
    chosen: list[str]
    value: str
    error: str = ""
    low_label: str = ""
    high_label: str = ""
    autofocus: bool = False
    photo_again: bool = False
    condition_code: str = ""  # the code of the earlier question that shows this one

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def grouped(self) -> bool:
        """Radio buttons or checkboxes: a fieldset whose legend is the question."""
        return self.control in ("radios", "scale", "checkboxes")

    @property
    def anchor(self) -> str:
        """The id of the control the error summary leads to."""
        return f"id-{self.code}-0" if self.grouped else f"id-{self.code}"

    @property
    def described_by(self) -> str:
        ids = []
        if self.question.help_text:
            ids.append(f"q-{self.code}-hint")
        if self.low_label or self.high_label:
            ids.append(f"q-{self.code}-ends")
        if self.error:
            ids.append(f"q-{self.code}-error")
        return " ".join(ids)

    @property
    def show_values(self) -> str:
        return json.dumps([str(value) for value in self.question.condition_values])

    @property
    def max_length(self) -> int:
        return SHORT_TEXT_MAX if self.control == "text" else LONG_TEXT_MAX


CONTROLS: dict[str, str] = {
    QuestionKind.SCALE: "scale",
    QuestionKind.NPS: "scale",
    QuestionKind.FFT: "radios",
    QuestionKind.YES_NO: "radios",
    QuestionKind.SINGLE: "radios",
    QuestionKind.MULTIPLE: "checkboxes",
    QuestionKind.NUMBER: "number",
    QuestionKind.DATE: "date",
    QuestionKind.SHORT_TEXT: "text",
    QuestionKind.LONG_TEXT: "textarea",
    QuestionKind.PHOTO: "photo",
}


def _options(question: Question, questionnaire: Questionnaire) -> list[tuple[str, str]]:
    kind = question.kind
    if kind == QuestionKind.SCALE:
        return [(str(n), str(n)) for n in range(1, 6)]
    if kind == QuestionKind.NPS:
        return [(str(n), str(n)) for n in range(11)]
    if kind == QuestionKind.FFT:
        return [(value, str(label)) for value, label in FriendsAndFamily.choices]
    if kind == QuestionKind.YES_NO:
        return [(value, str(label)) for value, label in YesNo.choices]
    return list(questionnaire.options.get(question.pk, []))


def _controls(
    questionnaire: Questionnaire,
    sent: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    photos_sent: frozenset[str] = frozenset(),
) -> list[tuple[str, str, list[Control]]]:
    """The questions by section (title, description, controls), the values sent put back."""
    sections: list[tuple[str, str, list[Control]]] = []
    by_section: dict[int, list[Control]] = {}
    first_error = next((q.code for q in questionnaire.questions if q.code in errors), None)
    by_id = questionnaire.by_id
    for question in questionnaire.questions:
        parent = by_id.get(question.condition_question_id or 0)
        kind = question.kind
        chosen = [str(value) for value in sent.get(question.code, ()) if value is not None]
        low, high = question.low_label, question.high_label
        if kind == QuestionKind.NPS:
            low = low or _("Not at all likely")
            high = high or _("Extremely likely")
        control = Control(
            question=question,
            control=CONTROLS[kind],
            options=_options(question, questionnaire),
            chosen=chosen,
            value=chosen[0] if chosen else "",
            error=errors.get(question.code, ""),
            low_label=low if kind in (QuestionKind.SCALE, QuestionKind.NPS) else "",
            high_label=high if kind in (QuestionKind.SCALE, QuestionKind.NPS) else "",
            autofocus=question.code == first_error,
            photo_again=kind == QuestionKind.PHOTO and question.code in photos_sent,
            condition_code=parent.code if parent is not None else "",
        )
        if question.section_id not in by_section:
            by_section[question.section_id] = []
            sections.append(
                (
                    question.section.title,
                    question.section.description,
                    by_section[question.section_id],
                )
            )
        by_section[question.section_id].append(control)
    return sections


def _form(
    request: HttpRequest,
    study: Study,
    dependency: Dependency,
    *,
    sent: Mapping[str, Sequence[str]] | None = None,
    errors: Mapping[str, str] | None = None,
    photos_sent: frozenset[str] = frozenset(),
    form_error: str = "",
    status: int = 200,
) -> HttpResponse:
    questionnaire = Questionnaire.published(study.version_id)
    errors = errors or {}
    sections = _controls(questionnaire, sent or {}, errors, photos_sent)
    codes = {question.code for question in questionnaire.questions}
    strays = [message for code, message in errors.items() if code not in codes]
    form_error = " ".join([form_error, *strays]).strip()
    summary = [
        (control.anchor, control.question.text, control.error)
        for _title, _description, controls in sections
        for control in controls
        if control.error
    ]
    context = {
        "study": study,
        "instrument": study.version.instrument,
        "dependency": dependency,
        "sections": sections,
        "many_sections": len(sections) > 1,
        "summary": summary,
        "form_error": form_error,
        "has_photo": any(q.kind == QuestionKind.PHOTO for q in questionnaire.questions),
    }
    return _unlogged(render(request, "surveys/public/form.html", context, status=status))


def _unlogged(response: HttpResponse) -> HttpResponse:
    """Django logs every 4xx answer with its path ("Bad Request: /encuesta/i/<token>/"): the
    path holds the invitation's token, so these answers are marked as logged already."""
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _notice(request: HttpRequest, reason: str, study: Study | None = None) -> HttpResponse:
    return _unlogged(
        render(
            request,
            "surveys/public/notice.html",
            {"reason": reason, "study": study},
            status=NOTICE_STATUS[reason],
        )
    )


def _reason(error: BusinessError) -> str | None:
    """The page for a refusal of the action that is not about an answer."""
    if error.code in ("invitation_used", "device_used"):
        return "answered"
    if error.code == "invitation_expired":
        return "expired"
    if error.code == "study_closed" or error.field == "dependency":
        return "closed"
    return None


def _is_open(study: Study, dependency_id: int) -> bool:
    try:
        check_open(study, dependency_id)
    except BusinessError:
        return False
    return True


def _submit(
    request: HttpRequest, study: Study, dependency: Dependency, origin: Origin
) -> HttpResponse:
    """Store the answers sent, or show them again with their errors (400), or the page of a
    refusal; a stored response redirects to the thank-you page."""
    # Every field is a question's code (the action refuses one it does not know); a file is
    # read only for a photo question.
    raw = {key: request.POST.getlist(key) for key in request.POST if key not in NOT_ANSWERS}
    uploads = uploads_of(request)
    try:
        do_submit_response(study, dependency, raw, origin=origin, uploads=uploads)
    except InvalidAnswers as invalid:
        return _form(
            request,
            study,
            dependency,
            sent=raw,
            errors=invalid.by_field(),
            photos_sent=frozenset(uploads),
            status=400,
        )
    except BusinessError as error:
        reason = _reason(error)
        if reason is None:
            return _form(request, study, dependency, sent=raw, form_error=str(error), status=400)
        return _notice(request, reason, study)
    return redirect("survey_public:thanks")


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    return _unlogged(ratelimit.too_many(request, retry_after, "surveys/public/too_many.html"))


# --- By invitation -----------------------------------------------------------------------------
def _get_or_post(
    view: Callable[[HttpRequest, str], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """require_http_methods(["GET", "POST"]), without logging the path (it holds the token)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        if request.method not in ("GET", "POST"):
            return _unlogged(HttpResponseNotAllowed(["GET", "POST"]))
        return view(request, token)

    return wrapper


def _invitation_refusal(invitation: Invitation, *, study_too: bool) -> str | None:
    """Why the invitation cannot be answered, if it cannot. The study's own state is checked
    again by the action, under its lock, when answers are sent (`study_too=False` then)."""
    if invitation.responded_at is not None:
        return "answered"
    if invitation.expires_at <= timezone.now():
        return "expired"
    if study_too and not _is_open(invitation.study, invitation.dependency_id):
        return "closed"
    return None


@never_cache
@_get_or_post
def by_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = find_invitation(token) if len(token) <= TOKEN_MAX else None
    if invitation is None:
        return _notice(request, "unknown")
    study = invitation.study
    refusal = _invitation_refusal(invitation, study_too=request.method != "POST")
    if refusal is not None:
        return _notice(request, refusal, study)
    if request.method != "POST":
        return _form(request, study, invitation.dependency)
    allowed, retry_after = ratelimit.hit(request, RATE_SCOPE)
    if not allowed:
        return _too_many(request, retry_after)
    origin = Origin(mode=ResponseMode.LINK, invitation=invitation, case_id=invitation.case_id)
    return _submit(request, study, invitation.dependency, origin)


# --- By a centre's QR code ---------------------------------------------------------------------
def _device_id(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    if (
        isinstance(value, str)
        and 16 <= len(value) <= 64
        and value.replace("-", "").replace("_", "").isalnum()
    ):
        return value
    return None


def device_key(study_id: int, device_id: str) -> str:
    """What a response keeps of the device: the SHA-256 of its id with the study's, so two
    studies' responses cannot be linked to one device."""
    return hashlib.sha256(f"survey-device:{study_id}:{device_id}".encode()).hexdigest()


def _keep_device(response: HttpResponse, device_id: str) -> HttpResponse:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device_id,
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


def _centre(token: str) -> StudyCentre | None:
    if not token or len(token) > 32:
        return None
    return (
        StudyCentre.objects.select_related("study__version__instrument", "dependency")
        .filter(qr_token=token)
        .first()
    )


@never_cache
@_get_or_post
def by_qr(request: HttpRequest, token: str) -> HttpResponse:
    centre = _centre(token)
    if centre is None:
        return _notice(request, "unknown")
    study = centre.study
    if request.method != "POST" and not _is_open(study, centre.dependency_id):
        return _notice(request, "closed", study)  # a POST: the action checks it
    device_id = _device_id(request)
    known = device_id is not None
    if device_id is None:
        device_id = secrets.token_urlsafe(24)
    key = device_key(study.pk, device_id)
    if request.method != "POST":
        answered = (
            known
            and Response.objects.filter(
                study=study, device_key=key, day=timezone.localdate()
            ).exists()
        )
        if answered:
            return _notice(request, "answered", study)
        return _keep_device(_form(request, study, centre.dependency), device_id)
    allowed, retry_after = ratelimit.hit(request, RATE_SCOPE)
    if not allowed:
        return _too_many(request, retry_after)
    origin = Origin(mode=ResponseMode.QR, device_key=key)
    return _keep_device(_submit(request, study, centre.dependency, origin), device_id)


# --- Thanks, and the staff's poster ------------------------------------------------------------
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/public/thanks.html")


def public_url(request: HttpRequest, path: str) -> str:
    """The address citizens use (PUBLIC_URL), or the one this request came by."""
    base = str(getattr(settings, "PUBLIC_URL", "") or "")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@login_required
@require_GET
def poster(request: HttpRequest, token: str) -> HttpResponse:
    """A centre's printable poster with its QR code, for staff who can see the study and the
    centre (anyone else: 404)."""
    centre = _centre(token)
    if centre is None:
        raise Http404(_("No such study."))
    user = request.user
    assert isinstance(user, User)
    study = queries.access_study_for_user(user, centre.study_id)
    scope = queries.centre_scope(user)
    if scope is not None and centre.dependency_id not in scope:
        raise Http404(_("No such study."))
    url = public_url(request, reverse("survey_public:qr", kwargs={"token": centre.qr_token}))
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, omitsize=True)
    context = {"study": study, "centre": centre, "url": url, "qr_svg": svg}
    return render(request, "surveys/public/poster.html", context)
