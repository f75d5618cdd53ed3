"""Who may do what with cases: one table of capabilities per role, and one rule for which cases
a user sees. `enlace/cases/queries.py` applies the scope to every read; actions and views ask
`has_capability` before every write."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q

from enlace.accounts.models import Role, User
from enlace.cases.lifecycle import CaseStatus
from enlace.catalogues.models import OpinionType
from enlace.catalogues.queries import entry_by_code
from enlace.directory.queries import descendant_ids

if TYPE_CHECKING:
    from enlace.cases.models import Case


class Capability(StrEnum):
    REGISTER = "register"  # log an inquiry or an opinion
    COMMENT = "comment"  # add a note to the timeline
    CLOSE_INQUIRY = "close_inquiry"  # close an inquiry with its answer
    ESCALATE = "escalate"  # turn an inquiry into an opinion case with follow-up
    RECLASSIFY = "reclassify"  # change type, limitante, topic, priority
    ACKNOWLEDGE = "acknowledge"  # acknowledge receipt, start the assessment
    ASSIGN = "assign"  # route to a centre, transfer
    OWN = "own"  # take a case, or give it to a colleague of the same team or centre
    PROPOSE_ANSWER = "propose_answer"  # the centre proposes the answer
    ANSWER = "answer"  # approve or return a proposed answer, answer the citizen
    PAUSE = "pause"  # wait for the citizen, resume
    CLOSE = "close"  # close any case, reopen it
    MERGE = "merge"  # merge duplicates, void
    VIEW_REPORTS = "view_reports"  # figures: all centres, or the user's own for a liaison
    IMPROVE = "improve"  # create and follow improvement opportunities (a liaison: their centre's)
    EXPORT_CASES = "export_cases"  # download the filtered list as CSV or XLSX (within the scope)
    IMPORT_CASES = "import_cases"  # load historical cases from spreadsheets
    OPEN_BOX = "open_box"  # open a suggestion box before witnesses, transcribe its forms
    # See who the citizen is (name, DUI, affiliation, phone, e-mail) and what they wrote
    # (description, answer, messages): the case page, and lists, exports and API answers in
    # clear; without it they are masked, and the free text left out.
    SEE_PERSONAL_DATA = "see_personal_data"
    # Satisfaction studies (enlace/surveys): design instruments and plan studies; interview
    # and visit (fieldwork); review responses before they count.
    DESIGN_STUDIES = "design_studies"
    FIELDWORK = "fieldwork"
    REVIEW_RESPONSES = "review_responses"
    # The call centre (enlace/campaigns, enlace/callcentre): call out on a campaign's
    # contacts; plan campaigns, import their lists, follow and export them; read the call
    # centre's figures and evaluate the quality of its agents' work.
    CALL_OUT = "call_out"
    RUN_CAMPAIGNS = "run_campaigns"
    SUPERVISE_CALLS = "supervise_calls"
    # Communications (enlace/participation, enlace/media): keep the participation mechanisms,
    # their events, the social networks' figures and the information media; keep and analyse
    # what the media publish about the institute.
    MANAGE_PARTICIPATION = "manage_participation"
    MONITOR_MEDIA = "monitor_media"


C = Capability
_DESK = frozenset({C.REGISTER, C.COMMENT, C.CLOSE_INQUIRY, C.ESCALATE, C.OWN, C.SEE_PERSONAL_DATA})
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # The desks talk to the person: they need to know who it is. They also interview for
    # studies: the call centre by phone, Punto Seguro at its centre.
    Role.AGENT: _DESK | {C.FIELDWORK, C.CALL_OUT},
    # The call centre's supervisor answers and calls like an agent, and runs the floor.
    Role.CALL_SUPERVISOR: _DESK
    | {C.FIELDWORK, C.CALL_OUT, C.RUN_CAMPAIGNS, C.SUPERVISE_CALLS, C.VIEW_REPORTS},
    Role.PUNTO_SEGURO: _DESK | {C.FIELDWORK},
    Role.RESOLUTION: frozenset(Capability) - {C.IMPORT_CASES},
    # A centre investigates its cases, so it knows whose they are.
    Role.LIAISON: frozenset(
        {
            C.COMMENT,
            C.OWN,
            C.PROPOSE_ANSWER,
            C.VIEW_REPORTS,
            C.IMPROVE,
            C.EXPORT_CASES,
            C.SEE_PERSONAL_DATA,
        }
    ),
    Role.OIR_OFFICER: _DESK,
    # Communications publishes and measures; it reads the figures, not who the citizens are.
    Role.COMMUNICATIONS: frozenset({C.MANAGE_PARTICIPATION, C.MONITOR_MEDIA, C.VIEW_REPORTS}),
    # Figures, not identities: the reports, and the list and its exports masked.
    Role.ANALYST: frozenset({C.VIEW_REPORTS, C.EXPORT_CASES}),
    # Answers the people's requests about their own data (enlace/privacy).
    Role.DPO: frozenset({C.SEE_PERSONAL_DATA, C.VIEW_REPORTS}),
    # Runs the system, not the cases' people: every capability but seeing who they are
    # (a superuser has every capability, this one included).
    Role.ADMINISTRATOR: frozenset(Capability) - {C.SEE_PERSONAL_DATA},
}

# Roles that see every case. The call centre answers "how is my case going?" for any centre.
SEES_ALL = frozenset(
    {
        Role.AGENT,
        Role.CALL_SUPERVISOR,
        Role.RESOLUTION,
        Role.ANALYST,
        Role.ADMINISTRATOR,
        Role.DPO,
    }
)


def has_capability(user: User, capability: Capability) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


# An aviso de denuncia protects who denounces: the centre it concerns sees it only once the
# resolution section has triaged it (routed it to the centre); until then only the staff who
# see every case, and whoever registered it.
DENUNCIA = "denuncia"
UNTRIAGED = (CaseStatus.RECEIVED, CaseStatus.IN_ASSESSMENT, CaseStatus.VOID)


def untriaged_denuncias_of_anyone() -> Q:
    """The avisos de denuncia not yet triaged: no centre's staff sees them."""
    entry = entry_by_code(OpinionType, DENUNCIA)
    if entry is None:
        return Q(pk__in=[])
    return Q(opinion_type_id=entry.pk, status__in=UNTRIAGED)


def is_untriaged_denuncia(case: Case) -> bool:
    """The same test as `untriaged_denuncias_of_anyone`, on a case in hand (no query)."""
    entry = entry_by_code(OpinionType, DENUNCIA)
    return entry is not None and case.opinion_type_id == entry.pk and case.status in UNTRIAGED


def untriaged_denuncias(user: User) -> Q:
    """The avisos de denuncia a centre's staff may not see yet (but whoever registered one)."""
    return untriaged_denuncias_of_anyone() & ~Q(created_by_id=user.pk)


def case_scope(user: User) -> Q | None:
    """The filter of the cases `user` may see; None means none at all."""
    if not user.is_active or not user.is_authenticated:
        return None
    if user.is_superuser or user.role in SEES_ALL:
        return Q()
    if user.role == Role.OIR_OFFICER:
        return Q(channel__code="oir")
    if user.role in (Role.PUNTO_SEGURO, Role.LIAISON) and user.dependency_id is not None:
        hidden = ~untriaged_denuncias(user)
        if user.role == Role.LIAISON and user.includes_children:
            return Q(dependency_id__in=descendant_ids(user.dependency_id)) & hidden
        return Q(dependency_id=user.dependency_id) & hidden
    return None


def report_scope(user: User) -> list[int] | None:
    """The centres whose figures `user` may see: None for all of them."""
    if user.role == Role.LIAISON and not user.is_superuser and user.dependency_id is not None:
        if user.includes_children:
            return descendant_ids(user.dependency_id)
        return [user.dependency_id]
    return None


def fixed_dependency_id(user: User) -> int | None:
    """The centre a user registers every case for, when the role decides it (Punto Seguro)."""
    if user.role == Role.PUNTO_SEGURO and not user.is_superuser:
        return user.dependency_id
    return None
