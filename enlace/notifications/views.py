"""A person's alerts (/avisos/): the list, opening one (read, then its case), reading one or all,
and which come by e-mail. Each person reaches only their own: another's alert is a 404. Views
parse, check access, call one action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enlace.accounts.current import current_user
from enlace.notifications import actions
from enlace.notifications.forms import EmailChoicesForm
from enlace.notifications.queries import access_alert, alerts_page, email_choices, unread_for


def _cursor(value: str | None) -> int | None:
    """The `antes` of a page of older alerts: an alert's id, or nothing."""
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _back_to_list(cursor: int | None) -> HttpResponse:
    url = reverse("notifications:inbox")
    return redirect(f"{url}?antes={cursor}" if cursor else url)


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    before = _cursor(request.GET.get("antes"))
    alerts, older = alerts_page(user, before)
    context = {
        "alerts": alerts,
        "older": older,
        "before": before,
        "unread": unread_for(request),
    }
    return render(request, "notifications/list.html", context)


@login_required
def alert_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening an alert (a plain link, so it works without JavaScript) reads it, then shows
    its case; the case page decides, as always, whether the person may still see it."""
    alert = access_alert(current_user(request), pk)
    actions.do_mark_read(alert)
    if alert.case_id is None:
        return redirect("notifications:inbox")
    return redirect("cases:detail", alert.case_id)


@login_required
@require_POST
def alert_read(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert(current_user(request), pk)
    actions.do_mark_read(alert)
    return _back_to_list(_cursor(request.POST.get("antes")))


@login_required
@require_POST
def alert_read_all(request: HttpRequest) -> HttpResponse:
    marked = actions.do_mark_all_read(current_user(request))
    if marked:
        messages.success(request, _("Every alert is marked as read."))
    return _back_to_list(None)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = EmailChoicesForm(request.POST, current=email_choices(user))
        if form.is_valid():
            actions.do_choose_email(user, form.choices())
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
    else:
        form = EmailChoicesForm(current=email_choices(user))
    context = {"form": form, "email": user.email}
    return render(request, "notifications/preferences.html", context)
