"""Imports from the web, for analysts: upload a file (stored first, read by a background task),
follow its progress, read what was wrong, download the rejected rows."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from enlace.accounts.models import User
from enlace.cases.permissions import Capability, has_capability
from enlace.core.htmx import is_htmx
from enlace.imports.jobs import do_queue_import, template_csv
from enlace.imports.models import ImportJob
from enlace.imports.rows import COLUMNS, SPEC
from enlace.privacy.access import record as record_access
from enlace.privacy.models import AccessVia


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV UTF-8 or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Import the valid rows and give me the rejected ones"),
        required=False,
        help_text=gettext_lazy("Without it, one bad row and nothing is imported."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s; import it with the command line.")
                % {"limit": filesizeformat(limit)}
            )
        return upload


def _importer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not has_capability(user, Capability.IMPORT_CASES):
        raise PermissionDenied(_("Your role does not import cases."))
    return user


def _visible_jobs(user: User) -> QuerySet[ImportJob]:
    """An analyst sees their own imports; an administrator sees everyone's."""
    jobs = ImportJob.objects.select_related("created_by")
    return (
        jobs if user.is_superuser or user.role == "administrator" else jobs.filter(created_by=user)
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            job = do_queue_import(
                actor=user,
                upload=form.cleaned_data["file"],
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        return redirect("imports:detail", job.pk)
    context = {
        "form": form,
        "jobs": _visible_jobs(user)[:50],
        "columns": COLUMNS,
        "spec": SPEC,  # each column explained, from the import's own definition of the file
    }
    return render(request, "imports/list.html", context, status=400 if form.errors else 200)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_visible_jobs(_importer(request)), pk=pk)
    template = "imports/_progress.html" if is_htmx(request) else "imports/detail.html"
    return render(request, template, {"job": job})


@login_required
def rejected_rows(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(_visible_jobs(_importer(request)), pk=pk)
    if not job.rejected_file:
        raise Http404
    name = job.original_name.rsplit(".", 1)[0] + "_rechazadas.csv"
    # The rejected rows are the file's own, personal data included: the download is logged.
    record_access(request.user, AccessVia.IMPORT_FILE, subject=f"import:{job.pk}")
    return FileResponse(job.rejected_file.open("rb"), as_attachment=True, filename=name)


@login_required
def template(request: HttpRequest) -> HttpResponse:
    _importer(request)
    response = HttpResponse("\ufeff" + template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="plantilla_importacion.csv"'
    return response
