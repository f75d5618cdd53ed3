"""Report subscriptions' pages: mine, subscribe, end one, and everybody's for administrators.
Views parse, check access, call one action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enlace.accounts.current import current_user
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.subscriptions import actions
from enlace.subscriptions.forms import SubscribeForm
from enlace.subscriptions.queries import (
    access_subscription_for_user,
    all_subscriptions,
    can_see_all,
    can_subscribe,
    own_subscriptions,
)

SHOWN = 500  # the administrators' list shows the latest


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    context = {
        "subscriptions": own_subscriptions(user),
        "can_see_all": can_see_all(user),
        "has_email": bool(user.email),
    }
    return render(request, "subscriptions/list.html", context)


@login_required
def subscription_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can_subscribe(user):
        raise PermissionDenied(_("Your role does not see reports."))
    fixed = actions.fixed_centre(user)
    status = 200
    if request.method == "POST":
        form = SubscribeForm(request.POST, user=user, fixed_centre=fixed)
        if form.is_valid():
            try:
                actions.do_subscribe(user, form.choice())
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Subscribed: you will receive the report by e-mail."))
                return redirect("subscriptions:list")
        status = 400
    else:
        form = SubscribeForm(user=user, fixed_centre=fixed)
    context = {
        "form": form,
        "has_email": bool(user.email),
        "dependency_options": Dependency.objects.active().order_by("name") if not fixed else [],
    }
    return render(request, "subscriptions/new.html", context, status=status)


@login_required
@require_POST
def subscription_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    subscription = access_subscription_for_user(user, pk)
    try:
        actions.do_end_subscription(subscription, acting_user=user)
    except BusinessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Subscription ended: no more reports will be sent."))
    if subscription.user_id != user.pk:
        return redirect("subscriptions:all")
    return redirect("subscriptions:list")


@login_required
def subscription_all(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    subscriptions = all_subscriptions(user)
    context = {"subscriptions": subscriptions[:SHOWN], "shown": SHOWN}
    return render(request, "subscriptions/all.html", context)
