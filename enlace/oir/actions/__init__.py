"""Every write to public-information requests, one module per topic: each in one transaction,
the row changed locked first (a request before its items), rules checked before anything is
written (BusinessError, nothing stored changes), the history as RequestEvent rows through
enlace/oir/history.py, whose subscribers write the messages it gives rise to.

The legal due date is recomputed by `recompute_due` from the pure arithmetic of
`enlace/oir/deadlines.py` whenever one of its inputs changes (receipt, age of the information,
extension, clarifications).

    registering.py   a request registered, or filed on the portal (stored first)
    items.py         its items: added, edited, sent to a unit, answered, decided
    clock.py         the age of the information, clarifications, the extension
    resolution.py    the resolution, its notification, the public register
    appeals.py       appeals and complaints before the IAIP
    reserved.py      the index of reserved information
"""

from enlace.core.errors import BusinessError  # what every action here raises on a refusal
from enlace.oir.actions.appeals import APPEAL_OUTCOMES, do_decide_appeal, do_record_appeal
from enlace.oir.actions.clock import (
    do_ask_clarification,
    do_extend_request,
    do_record_clarification,
    do_set_old_information,
)
from enlace.oir.actions.common import next_sequence, recompute_due
from enlace.oir.actions.items import (
    Decision,
    UnitFile,
    check_decision,
    do_add_item,
    do_answer_item,
    do_decide_item,
    do_edit_item,
    do_send_item,
)
from enlace.oir.actions.registering import (
    FILING_FIELDS,
    PORTAL_PLUGIN,
    NewRequest,
    check_new_request,
    do_file_request,
    do_register_request,
    do_set_aside_duplicates,
    filed_request,
    filing_payload,
)
from enlace.oir.actions.reserved import NewEntry, do_create_reserved_entry, do_declassify_entry
from enlace.oir.actions.resolution import (
    do_notify_resolution_by_email,
    do_publish_request,
    do_record_email_notification,
    do_record_notification,
    do_resolve_request,
)

__all__ = [
    "APPEAL_OUTCOMES",
    "FILING_FIELDS",
    "PORTAL_PLUGIN",
    "BusinessError",
    "Decision",
    "NewEntry",
    "NewRequest",
    "UnitFile",
    "check_decision",
    "check_new_request",
    "do_add_item",
    "do_answer_item",
    "do_ask_clarification",
    "do_create_reserved_entry",
    "do_decide_appeal",
    "do_decide_item",
    "do_declassify_entry",
    "do_edit_item",
    "do_extend_request",
    "do_file_request",
    "do_notify_resolution_by_email",
    "do_publish_request",
    "do_record_appeal",
    "do_record_clarification",
    "do_record_email_notification",
    "do_record_notification",
    "do_register_request",
    "do_resolve_request",
    "do_send_item",
    "do_set_aside_duplicates",
    "do_set_old_information",
    "filed_request",
    "filing_payload",
    "next_sequence",
    "recompute_due",
]
