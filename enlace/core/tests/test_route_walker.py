"""Every URL Enlace serves, walked from the URLconf: each is either public (and says so here),
the administration's or the API's (their own tests), or a staff page listed in `REFUSED` with a
person who must not reach it: a user of another centre, or of a role without the need. A new
URL that is in no list fails this test until its refusal is written down.

Each staff page is asked by that person (GET, and POST where it takes one) on a real object of
the Hospital General, and by an anonymous visitor: the person gets 403 or 404 and never the
page; the visitor is sent to log in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import make_user
from enlace.callcentre.models import Call
from enlace.cases.models import CaseFile, SavedView
from enlace.directory.models import Dependency
from enlace.imports.models import ImportJob
from enlace.improvements.actions import Plan, do_create_improvement
from enlace.notifications.models import Alert
from enlace.oir import actions as oir_actions
from enlace.oir.actions.reserved import NewEntry, do_create_reserved_entry
from enlace.privacy import actions as privacy_actions
from enlace.privacy.models import UnusualAccess
from enlace.suggestionbox.actions import Opening, Witness, do_open_box

# Pages anyone may open: the portal and the OIR's public pages, logging in and its steps, the
# language switch. Their own tests cover what they show.
PUBLIC = {
    "home",
    "portal:home",
    "portal:track",
    "portal:rate",
    "portal:receipt",
    "portal:reply",
    "portal:data_request",
    "portal:data_receipt",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "oir_public:file",
    "oir_public:receipt",
    "oir_public:track",
    "oir_public:track_pdf",
    "oir_public:register",
    "oir_public:entry",
    "oir_public:reserved",
    "set_language",
    "survey_public:invitation",
    "survey_public:qr",
    "survey_public:thanks",
}
# Doors of other systems, each with its own credential and tests: the webhooks (a signature),
# the telephone system (a shared token), Open311 and the REST API (keys), the administration
# (staff accounts; enlace/*/tests/test_admin.py).
OWN_CREDENTIALS = ("channels:", "open311:", "api:", "admin:")
# Pages of one's own account: every logged-in person reaches their own, and only theirs.
OWN_ACCOUNT = {
    "start",  # each person's start page: a redirect to their role's own
    "accounts:second_factor",
    "accounts:second_factor_enrol",
    "accounts:security",
    "accounts:password_change",
    "accounts:password_done",
    "notifications:inbox",  # one's alerts, marking them all read, what comes by e-mail
    "notifications:read_all",
    "notifications:preferences",
}


@dataclass(frozen=True)
class Refusal:
    who: tuple[str, ...]  # keys of the `people` fixture
    args: str = ""  # a key of the `objects` fixture, for the URL's argument(s)
    post: bool = False  # the page also takes a POST, refused the same


# who: "outsider" is a liaison of another centre (Unidad Médica Zacamil), refused every page
# but those that show each centre its own (its reports, improvements, OIR items, export); the
# others are roles without the need.
REFUSED: dict[str, Refusal] = {
    "cases:new": Refusal(("outsider", "analyst"), post=True),
    "cases:export": Refusal(("agent",)),
    "cases:bulk": Refusal(("analyst", "dpo"), post=True),
    "cases:view_save": Refusal(("communications",), post=True),
    "cases:view_delete": Refusal(("liaison", "outsider"), "saved_view", post=True),
    "cases:detail": Refusal(("outsider", "analyst"), "case"),
    "cases:attachment": Refusal(("outsider", "analyst"), "attachment"),
    "cases:file": Refusal(("outsider", "analyst"), "case_file"),
    "cases:action": Refusal(("outsider", "analyst"), "case_action", post=True),
    "reports:dashboard": Refusal(("agent",)),
    "reports:compliance": Refusal(("agent",)),
    "reports:participation": Refusal(("agent",)),
    # Reports by e-mail: one's own subscriptions (not the roles without reports); another
    # person's subscription is a 404; every subscription only for administrators.
    "subscriptions:list": Refusal(("agent", "oir")),
    "subscriptions:new": Refusal(("agent", "oir"), post=True),
    "subscriptions:all": Refusal(("outsider", "liaison", "analyst", "resolution")),
    "subscriptions:end": Refusal(("outsider", "agent", "analyst"), "subscription", post=True),
    # The institution's table of mechanisms: not a centre's, so a liaison is refused it.
    "reports:mechanisms": Refusal(("agent", "outsider")),
    # The participation records are kept by communications (and resolution staff).
    "participation:events": Refusal(("outsider", "agent", "analyst")),
    "participation:event_new": Refusal(("outsider", "agent", "analyst"), post=True),
    "participation:event_import": Refusal(("outsider", "agent", "analyst"), post=True),
    "participation:event": Refusal(("outsider", "agent", "analyst"), "event", post=True),
    "participation:event_delete": Refusal(("outsider", "agent", "analyst"), "event", post=True),
    "participation:evidence_add": Refusal(("outsider", "agent", "analyst"), "event", post=True),
    "participation:evidence_file": Refusal(("outsider", "agent", "analyst"), "evidence"),
    "participation:accounts": Refusal(("outsider", "agent", "analyst")),
    "participation:figures_import": Refusal(("outsider", "agent", "analyst"), post=True),
    "participation:account": Refusal(("outsider", "agent", "analyst"), "account", post=True),
    "participation:media": Refusal(("outsider", "agent", "analyst")),
    "participation:medium_new": Refusal(("outsider", "agent", "analyst"), post=True),
    "participation:medium": Refusal(("outsider", "agent", "analyst"), "medium", post=True),
    "participation:mechanisms": Refusal(("outsider", "agent", "analyst")),
    "participation:mechanism": Refusal(("outsider", "agent", "analyst"), "mechanism", post=True),
    "improvements:list": Refusal(("agent",)),
    "improvements:new": Refusal(("analyst",), post=True),
    "improvements:detail": Refusal(("outsider", "agent"), "improvement", post=True),
    "imports:list": Refusal(("outsider", "analyst"), post=True),
    "imports:template": Refusal(("outsider", "resolution")),
    "imports:detail": Refusal(("outsider", "resolution"), "import_job"),
    "imports:rejected": Refusal(("outsider", "resolution"), "import_job"),
    "callcentre:list": Refusal(("outsider", "analyst")),
    "callcentre:panel": Refusal(("outsider", "analyst")),
    "callcentre:history": Refusal(("outsider", "analyst")),
    "callcentre:detail": Refusal(("outsider", "analyst"), "call"),
    "callcentre:figures": Refusal(("outsider", "analyst")),
    "callcentre:figures_pdf": Refusal(("outsider", "analyst")),
    "callcentre:figures_xlsx": Refusal(("outsider", "analyst")),
    "callcentre:board": Refusal(("outsider", "analyst", "agent")),
    "callcentre:board_figures": Refusal(("outsider", "analyst", "agent")),
    "callcentre:targets": Refusal(("outsider", "analyst", "agent"), post=True),
    "callcentre:delete_target": Refusal(
        ("outsider", "analyst", "agent"), "indicator_target", post=True
    ),
    # Quality evaluations: an agent reads their own (the list), never another agent's (404),
    # and evaluates nothing; a liaison of another centre and an analyst are refused all of it.
    "callcentre:quality": Refusal(("outsider", "analyst", "liaison")),
    "callcentre:evaluate": Refusal(("outsider", "analyst", "agent"), "answered_call", post=True),
    "callcentre:evaluate_answer": Refusal(("outsider", "analyst", "agent"), "case", post=True),
    "callcentre:evaluation": Refusal(("outsider", "analyst", "agent"), "evaluation", post=True),
    "campaigns:list": Refusal(("outsider", "analyst")),
    "campaigns:new": Refusal(("outsider", "agent", "analyst"), post=True),
    "campaigns:detail": Refusal(("outsider", "analyst"), "campaign"),
    "campaigns:edit": Refusal(("outsider", "agent"), "campaign", post=True),
    "campaigns:step": Refusal(("outsider", "agent"), "campaign", post=True),
    "campaigns:import": Refusal(("outsider", "agent"), "campaign", post=True),
    "campaigns:results": Refusal(("outsider", "agent", "analyst"), "campaign"),
    "campaigns:next": Refusal(("outsider", "analyst"), "campaign", post=True),
    "campaigns:reassign": Refusal(("outsider", "agent", "analyst"), "campaign", post=True),
    "campaigns:rejected": Refusal(("outsider", "agent"), "contact_import"),
    "campaigns:call": Refusal(("outsider", "agent", "analyst"), "contact", post=True),
    "campaigns:release": Refusal(("outsider", "agent", "analyst"), "contact", post=True),
    "campaigns:do_not_call": Refusal(("outsider", "agent"), post=True),
    "campaigns:do_not_call_remove": Refusal(("outsider", "agent"), "do_not_call", post=True),
    "suggestionbox:list": Refusal(("outsider", "agent")),
    "suggestionbox:new": Refusal(("outsider", "agent"), post=True),
    "suggestionbox:detail": Refusal(("outsider", "agent"), "opening"),
    "suggestionbox:transcribe": Refusal(("outsider", "agent"), "opening", post=True),
    "suggestionbox:correct": Refusal(("outsider", "agent"), "opening", post=True),
    "oir:home": Refusal(("agent",)),
    "oir:list": Refusal(("outsider", "resolution")),
    "oir:new": Refusal(("outsider", "resolution"), post=True),
    "oir:mail": Refusal(("outsider", "resolution"), "case", post=True),
    "oir:detail": Refusal(("outsider", "resolution"), "oir_request"),
    "oir:pdf": Refusal(("outsider", "resolution"), "oir_request"),
    "oir:action": Refusal(("outsider", "resolution"), "oir_action", post=True),
    "oir:unit": Refusal(("agent",)),
    "oir:item": Refusal(("outsider", "agent"), "oir_item", post=True),
    "oir:item_file": Refusal(("outsider", "agent"), "oir_item"),
    "oir:reserved": Refusal(("outsider", "agent"), post=True),
    "oir:declassify": Refusal(("outsider", "agent"), "reserved", post=True),
    "oir:statistics": Refusal(("outsider", "agent")),
    "privacy:home": Refusal(("outsider", "administrator")),
    "privacy:requests": Refusal(("outsider", "resolution")),
    "privacy:request_new": Refusal(("outsider", "oir"), post=True),
    "privacy:request": Refusal(("outsider", "analyst"), "subject_request"),
    "privacy:request_search": Refusal(("outsider", "resolution"), "subject_request", post=True),
    "privacy:request_json": Refusal(("outsider", "administrator"), "subject_request", post=True),
    "privacy:request_pdf": Refusal(("outsider", "administrator"), "subject_request", post=True),
    "privacy:request_rectify": Refusal(("outsider", "resolution"), "subject_request", post=True),
    "privacy:request_cancel": Refusal(("outsider", "resolution"), "subject_request", post=True),
    "privacy:request_extend": Refusal(("outsider", "oir"), "subject_request", post=True),
    "privacy:request_answer": Refusal(("outsider", "oir"), "subject_request", post=True),
    "privacy:request_refuse": Refusal(("outsider", "oir"), "subject_request", post=True),
    "privacy:access_log": Refusal(("outsider", "administrator")),
    "privacy:unusual": Refusal(("outsider", "analyst")),
    "privacy:unusual_review": Refusal(("outsider", "resolution"), "unusual", post=True),
    "privacy:breaches": Refusal(("outsider", "agent")),
    "privacy:breach_new": Refusal(("outsider", "agent"), post=True),
    "privacy:breach": Refusal(("outsider", "analyst"), "breach"),
    "privacy:breach_notice": Refusal(("outsider", "analyst"), "breach", post=True),
    "privacy:breach_close": Refusal(("outsider", "analyst"), "breach", post=True),
    "privacy:retention": Refusal(("outsider", "analyst")),
    "survey_public:poster": Refusal(("outsider", "agent"), "study_centre"),
    "surveys:studies": Refusal(("oir",)),
    "surveys:study": Refusal(("outsider", "oir"), "study"),
    "surveys:study_new": Refusal(("outsider", "agent", "analyst"), post=True),
    "surveys:study_edit": Refusal(("outsider", "analyst"), "study", post=True),
    "surveys:study_step": Refusal(("outsider", "analyst"), "study", post=True),
    "surveys:interview_start": Refusal(("outsider", "analyst"), "study", post=True),
    "surveys:review": Refusal(("outsider", "agent"), "study"),
    "surveys:results": Refusal(("outsider", "oir"), "study"),
    "surveys:results_pdf": Refusal(("outsider", "oir"), "study"),
    "surveys:results_xlsx": Refusal(("outsider", "oir"), "study"),
    "surveys:comments": Refusal(("outsider", "analyst"), "study"),
    "surveys:trends": Refusal(("oir", "agent")),
    "surveys:response": Refusal(("outsider", "agent"), "response"),
    "surveys:response_finish": Refusal(("outsider", "agent"), "response", post=True),
    "surveys:response_review": Refusal(("outsider", "agent"), "response", post=True),
    "surveys:answer_save": Refusal(("outsider", "agent"), "answer", post=True),
    "surveys:photo": Refusal(("outsider", "agent"), "photo"),
    "surveys:finding_add": Refusal(("outsider", "agent"), "response", post=True),
    "surveys:finding_check": Refusal(("outsider", "agent"), "finding", post=True),
    "surveys:instruments": Refusal(("outsider", "agent", "analyst"), post=True),
    "surveys:instrument": Refusal(("outsider", "analyst"), "instrument"),
    "surveys:version_new": Refusal(("outsider", "analyst"), "instrument", post=True),
    "surveys:version": Refusal(("outsider", "analyst"), "version"),
    "surveys:preview": Refusal(("outsider", "analyst"), "version"),
    "surveys:publish": Refusal(("outsider", "analyst"), "version", post=True),
    "surveys:section_add": Refusal(("outsider", "analyst"), "version", post=True),
    "surveys:question_new": Refusal(("outsider", "analyst"), "version", post=True),
    "surveys:question": Refusal(("outsider", "analyst"), "question", post=True),
    "surveys:question_action": Refusal(("outsider", "analyst"), "question", post=True),
    "surveys:section_delete": Refusal(("outsider", "analyst"), "section", post=True),
    # Media monitoring: the archive for whoever keeps it (communications, the resolution
    # section, administrators); its analysis also for whoever reads every centre's reports (an
    # analyst), never a centre's liaison.
    "media:list": Refusal(("outsider", "agent", "analyst")),
    "media:new": Refusal(("outsider", "agent", "analyst"), post=True),
    "media:detail": Refusal(("outsider", "agent", "analyst"), "news_item"),
    "media:clip": Refusal(("outsider", "agent", "analyst"), "news_item"),
    "media:make_case": Refusal(("outsider", "agent", "analyst"), "news_item", post=True),
    "media:analysis": Refusal(("outsider", "agent")),
    "media:analysis_pdf": Refusal(("outsider", "agent")),
    "media:analysis_xlsx": Refusal(("outsider", "agent")),
    # One's own alerts: another person's is a 404, whoever they are.
    "notifications:open": Refusal(("outsider", "agent"), "alert"),
    "notifications:read": Refusal(("outsider", "agent"), "alert", post=True),
}
# Pages every staff member reaches, showing only what their centre and role may see: the
# person of another centre is refused the Hospital General's case inside them instead.
SCOPED = {"cases:list", "cases:queue"}


def named_routes() -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                found[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern

    walk(get_resolver().url_patterns, None)
    return found


def test_every_url_is_public_or_has_its_refusal_written_down() -> None:
    routes = {name for name in named_routes() if not name.startswith(OWN_CREDENTIALS)}
    unlisted = routes - PUBLIC - OWN_ACCOUNT - SCOPED - set(REFUSED)
    assert not unlisted, f"URLs with no refusal written down: {sorted(unlisted)}"
    gone = (PUBLIC | OWN_ACCOUNT | SCOPED | set(REFUSED)) - routes
    assert not gone, f"listed but no longer served: {sorted(gone)}"


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    return {
        "outsider": make_user("carlos", "liaison", "UM-ZAC"),
        "liaison": make_user("bruno", "liaison", "HG"),
        "agent": make_user("alicia", "agent"),
        "resolution": make_user("rosa", "resolution"),
        "analyst": make_user("andres", "analyst"),
        "oir": make_user("olga", "oir_officer"),
        "administrator": make_user("sistemas", "administrator"),
        "dpo": make_user("dora", "dpo"),
        "communications": make_user("cora", "communications"),
    }


@pytest.fixture
def objects(people: dict[str, Any], make_case: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    hg = Dependency.objects.get(code="HG")
    case = make_case(citizen={"name": "Ana", "dui": "00016297-5"})
    from enlace.channels.models import Attachment

    attachment = Attachment.objects.create(
        case=case,
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
        name="a.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
    )
    call = Call.objects.create(pbx_call_id="c-1", caller="+50371234567", started_at=timezone.now())
    improvement = do_create_improvement(
        Plan(title="Farmacia", dependency=hg), acting_user=people["resolution"]
    )
    from enlace.media.actions import NewNewsItem, do_register_news_item
    from enlace.media.models import MediaTopic, Outlet

    news_item = do_register_news_item(
        NewNewsItem(
            outlet=Outlet.objects.create(code="lpg", name="La Prensa Gráfica", medium="press"),
            published_on=timezone.localdate(),
            headline="Falta de medicamentos en el Hospital General",
            topic=MediaTopic.objects.get(code="medicamentos"),
            tone="negative",
            dependency=hg,
        ),
        acting_user=people["resolution"],
    )
    job = ImportJob.objects.create(
        created_by=people["administrator"],
        original_name="c.csv",
        skip_invalid=False,
        file=ContentFile(b"x", name="c.csv"),
        rejected_file=ContentFile(b"x", name="r.csv"),
    )
    opening = do_open_box(
        Opening(
            dependency=hg,
            opened_on=timezone.localdate(),
            witnesses=[Witness("Ana", "directora"), Witness("Luis", "Punto Seguro")],
            forms_found=1,
        ),
        acting_user=people["resolution"],
    )
    request, _created = oir_actions.do_register_request(
        oir_actions.NewRequest(
            channel="in_person",
            requester_name="María",
            document_type="dui",
            document_number="04567890-3",
            notify_by="office",
            description="Contratos",
            gender="female",
        ),
        acting_user=people["oir"],
    )
    item = request.items.get()
    item = oir_actions.do_send_item(
        item, hg, timezone.localdate() + timedelta(days=3), acting_user=people["oir"]
    )
    reserved = do_create_reserved_entry(
        NewEntry(
            reference="IR-1",
            information="Planos",
            dependency=hg,
            legal_article="Art. 19",
            cause="Seguridad",
            classified_on=date(2025, 1, 1),
            period_years=7,
        ),
        acting_user=people["oir"],
    )
    subject, _new = privacy_actions.do_register_subject_request(
        privacy_actions.NewSubjectRequest(
            kind="access",
            channel="letter",
            requester_name="Ana",
            description="Mis datos",
            dui="00016297-5",
        ),
        acting_user=people["dpo"],
    )
    breach = privacy_actions.do_register_breach(
        privacy_actions.NewBreach(
            title="Correo",
            discovered_at=timezone.now() - timedelta(hours=1),
            description="x",
            data_affected="y",
            people_affected=1,
        ),
        acting_user=people["dpo"],
    )
    unusual = UnusualAccess.objects.create(
        user=people["agent"],
        hour=timezone.now().replace(minute=0, second=0, microsecond=0),
        accesses=900,
        threshold=500,
    )
    from enlace.surveys.actions.responses import do_start_response
    from enlace.surveys.models import Answer, StudyCentre
    from enlace.surveys.tests import factories as survey_factories

    instrument = survey_factories.questionnaire(people["resolution"])
    study = survey_factories.study(people["resolution"], instrument, [("HG", 10)])
    version = survey_factories.published(instrument)
    question = version.questions.get(code="trato")
    interview = do_start_response(study, hg, mode="interview", interviewer=people["resolution"])
    photo = Answer.objects.create(
        response=interview, question=question, photo=ContentFile(b"x", name="f.png")
    )
    from enlace.callcentre.models import IndicatorTarget
    from enlace.campaigns import actions as campaign_actions
    from enlace.campaigns.models import ContactImport, DoNotCall
    from enlace.campaigns.tests import factories as campaign_factories

    campaign = campaign_factories.campaign(people["resolution"])
    campaign_factories.import_text(
        campaign,
        people["resolution"],
        "nombre,telefono\nMarta,7123-4567\nMal,12\n",
        skip_invalid=True,
    )
    campaign_actions.do_step(campaign, "start", acting_user=people["resolution"])
    dnc = campaign_actions.do_add_do_not_call(
        "6111-2222", "", "asked", acting_user=people["resolution"]
    )
    target = IndicatorTarget.objects.create(
        indicator="asa", target=20, better="lower", valid_from=date(2025, 1, 1)
    )
    # Another agent's call, evaluated by the resolution section on a published checklist.
    from enlace.callcentre.quality_actions import ItemValue, do_evaluate_call

    answered_call = Call.objects.create(
        pbx_call_id="c-2",
        started_at=timezone.now(),
        answered_at=timezone.now(),
        agent=make_user("beto", "agent"),
    )
    checklist = survey_factories.published(
        survey_factories.checklist(people["resolution"], code="calidad")
    )
    evaluation = do_evaluate_call(
        answered_call,
        checklist,
        {item.pk: ItemValue("yes") for item in checklist.questions.filter(kind="yes_no")},
        acting_user=people["resolution"],
    )
    from enlace.directory.models import Municipality
    from enlace.participation.models import (
        EventEvidence,
        InformationMedium,
        Mechanism,
        ParticipationEvent,
        SocialAccount,
    )

    festival = ParticipationEvent.objects.create(
        mechanism=Mechanism.objects.get(code="ferias_salud"),
        name="Festival",
        starts_on=date(2016, 3, 5),
        ends_on=date(2016, 3, 5),
        municipality=Municipality.objects.get(name="Ilobasco"),
        region="central",
        created_by=people["resolution"],
    )
    evidence = EventEvidence.objects.create(
        event=festival,
        file=ContentFile(b"%PDF-1.4", name="e.pdf"),
        name="e.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=people["resolution"],
    )
    medium = InformationMedium.objects.create(kind="bulletin_board", name="Cartelera")
    from enlace.subscriptions.actions import Choice, do_subscribe

    people["liaison"].email = "bruno@example.org"
    people["liaison"].save(update_fields=["email"])
    subscription = do_subscribe(people["liaison"], Choice("participation_centre", "monthly", hg))
    return {
        "subscription": [subscription.pk],
        "event": [festival.pk],
        "evidence": [festival.pk, evidence.pk],
        "account": [SocialAccount.objects.get(handle="@isss_gob_sv").pk],
        "medium": [medium.pk],
        "mechanism": ["ferias_salud"],
        "answered_call": [answered_call.pk],
        "evaluation": [evaluation.pk],
        "indicator_target": [target.pk],
        "campaign": [campaign.pk],
        "contact": [campaign.contacts.get().pk],
        "contact_import": [ContactImport.objects.get(campaign=campaign).pk],
        "do_not_call": [DoNotCall.objects.get(pk=dnc.pk).pk],
        "study": [study.pk],
        "instrument": [instrument.pk],
        "version": [version.pk],
        "question": [version.pk, question.pk],
        "section": [version.pk, question.section_id],
        "response": [interview.pk],
        "answer": [interview.pk, question.pk],
        "photo": [interview.pk, photo.pk],
        "finding": [interview.pk, 1],
        "study_centre": [StudyCentre.objects.get(study=study).qr_token],
        "case": [case.pk],
        "attachment": [case.pk, attachment.pk],
        "case_action": [case.pk, "comentar"],
        "call": [call.pk],
        "improvement": [improvement.pk],
        "news_item": [news_item.pk],
        "import_job": [job.pk],
        "opening": [opening.pk],
        "oir_request": [request.pk],
        "oir_action": [request.pk, "decidir"],
        "oir_item": [item.pk],
        "reserved": [reserved.pk],
        "subject_request": [subject.pk],
        "breach": [breach.pk],
        "unusual": [unusual.pk],
        "alert": [Alert.objects.create(user=people["liaison"], kind="mention", case=case).pk],
        "saved_view": [SavedView.objects.create(owner=people["resolution"], name="Mías").pk],
        "case_file": [
            case.pk,
            CaseFile.objects.create(
                case=case,
                event=case.events.first(),
                file=ContentFile(b"%PDF-1.4", name="r.pdf"),
                name="r.pdf",
                content_type="application/pdf",
                size=8,
                sha256="0" * 64,
            ).pk,
        ],
        "_case_code": case.display_code,
    }


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_each_staff_page_refuses_its_outsider(
    name: str, people: dict[str, Any], objects: dict[str, Any], client_for: Any, client: Any
) -> None:
    refusal = REFUSED[name]
    url = reverse(name, args=objects[refusal.args] if refusal.args else [])
    for who in refusal.who:
        intruder = client_for(people[who])
        answer = intruder.get(url)
        assert answer.status_code in (403, 404, 405), (name, who, answer.status_code)
        if refusal.post:
            posted = intruder.post(url, {"body": "x", "title": "x", "reason": "x"})
            assert posted.status_code in (403, 404), (name, who, posted.status_code)
    anonymous = client.get(url)
    assert anonymous.status_code == 302, (name, anonymous.status_code)
    assert anonymous["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_shared_pages_hide_another_centres_case(
    name: str, people: dict[str, Any], objects: dict[str, Any], client_for: Any, client: Any
) -> None:
    page = client_for(people["outsider"]).get(reverse(name))
    assert page.status_code == 200
    assert objects["_case_code"] not in page.content.decode()
    assert client.get(reverse(name)).status_code == 302


@pytest.mark.parametrize("name", sorted(OWN_ACCOUNT))
def test_account_pages_need_a_login(name: str, client: Any, db: None) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_portal_receipts_name_nothing_for_a_token_not_theirs(client: Any, db: None) -> None:
    for name in ("portal:data_receipt",):
        page = client.get(reverse(name, args=[uuid.uuid4()]))
        assert page.status_code in (200, 404)
        assert "ARCO-" not in page.content.decode()
