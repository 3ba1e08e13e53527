"""Admin pages about readers beyond the listings: CSV import and export, the subscribers report.

Thin views (DESIGN.md): an upload is queued by ``import_jobs.queue_import`` and imported in
the worker (issue 8), its page shows how far it got; reads go through ``queries``,
``exporting.export_rows`` and ``reports``. Wagtail's admin URLs already require admin access;
each view also checks its own permission, because readers are personal data.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from masthead.audience import exporting, import_jobs, importing, queries, reports
from masthead.audience.models import Newsletter

log = logging.getLogger(__name__)

VIEW_READERS = "audience.view_reader"
ADD_READERS = "audience.add_reader"
# How many past imports the import page lists.
RECENT_IMPORTS = 10


class _PermissionRequired:
    permission = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class _AdminPage(_PermissionRequired, WagtailAdminTemplateMixin):
    def get_breadcrumbs_items(self) -> list[dict]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


# --- export --------------------------------------------------------------------------------


class _Echo:
    """A file-like object that hands back what csv.writer writes (Django's streaming recipe)."""

    def write(self, value: str) -> str:
        return value


def export_readers(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """One row per reader and newsletter as CSV, streamed: rows go out as the database yields them."""
    if not request.user.has_perm(VIEW_READERS):
        raise PermissionDenied
    newsletter = None
    if slug := request.GET.get("newsletter"):
        newsletter = Newsletter.objects.filter(slug=slug).first()
        if newsletter is None:
            # An unknown slug is an error in the request, never a silent export of everyone.
            return HttpResponseBadRequest(
                _("There is no newsletter “%(slug)s”.") % {"slug": slug},
                content_type="text/plain; charset=utf-8",
            )
    writer = csv.writer(_Echo())
    lines = (writer.writerow(row) for row in exporting.export_rows(newsletter=newsletter))
    # The byte-order mark makes Excel read the file as UTF-8 (names in Spanish); the importer
    # accepts it, so an export can be edited and imported again.
    response = StreamingHttpResponse(
        chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8"
    )
    name = f"readers-{newsletter.slug + '-' if newsletter else ''}{timezone.localdate()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"  # personal data: no copy in any cache
    log.info("readers exported by user %s (newsletter %s)", request.user.pk, slug or "all")
    return response


# --- import --------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "A header row, then one reader per row. Columns: email (required), language "
            "(en or es), consented_at (YYYY-MM-DD), newsletter (its slug). Up to 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    newsletter = forms.ModelChoiceField(
        queryset=Newsletter.objects.all(),
        label=gettext_lazy("Newsletter"),
        help_text=gettext_lazy("For rows without a newsletter column."),
    )
    source = forms.CharField(
        max_length=200,
        label=gettext_lazy("Where did these people give their consent?"),
        help_text=gettext_lazy(
            "For example: the sign-up sheet at the March book fair, or our old mailing list "
            "provider. Everyone on the list must have agreed to receive this newsletter."
        ),
    )
    consented_at = forms.DateField(
        label=gettext_lazy("Consent date"),
        help_text=gettext_lazy("For rows without a consented_at date."),
        widget=AdminDateInput,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Split it into smaller files.")
            )
        # The checks that need no rows answer at once; the rows are checked in the worker.
        upload.seek(0)
        self.cleaned_data["data"] = upload.read()
        try:
            importing.check_file(self.cleaned_data["data"])
        except importing.ImportRefused as refused:
            raise forms.ValidationError([e.message for e in refused.errors]) from None
        return upload

    def clean_consented_at(self) -> dt.datetime:
        day = self.cleaned_data["consented_at"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The consent date is in the future."))
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ImportReadersView(_AdminPage, FormView):
    permission = ADD_READERS
    form_class = ImportForm
    template_name = "audience/admin/import.html"
    page_title = gettext_lazy("Import readers")
    header_icon = "upload"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            export_url=reverse("audience_csv:export"),
            max_rows=importing.MAX_ROWS,
            imports=queries.reader_imports()[:RECENT_IMPORTS],
            **kwargs,
        )

    def form_valid(self, form: ImportForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            job = import_jobs.queue_import(
                data=data["data"],
                file_name=data["file"].name or "",
                newsletter=data["newsletter"],
                source=data["source"],
                default_consented_at=data["consented_at"],
                user=self.request.user,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except import_jobs.ImportBusy as busy:
            form.add_error(
                None,
                _(
                    "A file is still being imported into this newsletter. Wait until it "
                    "has finished, then upload this one."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form, busy=busy.running))
        return HttpResponseRedirect(reverse("audience_csv:progress", args=[job.pk]))


class ImportProgressView(_AdminPage, TemplateView):
    """One import's page: how far it got, refreshed while it runs, then what came of it."""

    permission = ADD_READERS
    template_name = "audience/admin/import_progress.html"
    page_title = gettext_lazy("Import of readers")
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("audience_csv:import"), "label": _("Import readers")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        job = get_object_or_404(queries.reader_imports(), pk=self.kwargs["pk"])
        return super().get_context_data(
            job=job,
            more_errors=max(0, job.error_count - len(job.errors)),
            import_url=reverse("audience_csv:import"),
            **kwargs,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # bad rows are personal data
        return response


# --- subscribers report --------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    """A labelled mark on an axis: its x (on the x axis) or y (on the y axis) in the box."""

    at: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the end ticks do not overflow the box


@dataclass(frozen=True)
class Chart:
    """An SVG line chart's geometry, computed here so the template only places numbers."""

    width: int
    height: int
    line: str  # polyline points
    area: str  # polygon points: the line closed along the x axis
    top: int  # the value at the top of the y axis
    left: int  # x of the y axis
    bottom: int  # y of the x axis
    right: int
    y_ticks: tuple[Tick, ...] = ()  # round values from 0 to ``top``, with grid lines
    x_ticks: tuple[Tick, ...] = ()  # a few evenly spaced labels, first and last included


def _round_top(peak: int) -> tuple[int, int]:
    """A round top for the y axis at or above ``peak``, and the step between its ticks.

    Steps are 1, 2 or 5 times a power of ten, so the axis reads 0, 50, 100, 150 rather
    than 0, 37, 74, 111; at most five steps.
    """
    peak = max(peak, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * 5 >= peak:
                return -(-peak // step) * step, step
        magnitude *= 10


def chart(
    values: list[int], *, labels: list[str] | None = None, width: int = 640, height: int = 180
) -> Chart:
    """Scale ``values`` into a ``width`` by ``height`` box with room for the axis labels.

    ``labels`` name the points (dates, already in the editor's language); a few of them
    become the x axis' ticks.
    """
    left, right, top_pad, bottom = 48, width - 8, 12, height - 24
    top, step_value = _round_top(max(values, default=0))
    step = (right - left) / max(len(values) - 1, 1)
    points = [
        (round(left + i * step, 1), round(bottom - (bottom - top_pad) * v / top, 1))
        for i, v in enumerate(values)
    ]
    line = " ".join(f"{x},{y}" for x, y in points)
    area = f"{left},{bottom} {line} {points[-1][0] if points else left},{bottom}"
    y_ticks = tuple(
        Tick(round(bottom - (bottom - top_pad) * v / top, 1), formats.localize(v))
        for v in range(0, top + 1, step_value)
    )
    x_ticks: tuple[Tick, ...] = ()
    if labels and len(labels) == len(values):
        count = min(len(labels), 5)
        indexes = sorted({round(i * (len(labels) - 1) / max(count - 1, 1)) for i in range(count)})
        x_ticks = tuple(
            Tick(
                points[i][0],
                labels[i],
                "start" if i == 0 else "end" if i == len(labels) - 1 else "middle",
            )
            for i in indexes
        )
    return Chart(width, height, line, area, top, left, bottom, right, y_ticks, x_ticks)


@dataclass(frozen=True)
class NewsletterReport:
    counts: reports.SubscriberCounts
    series: list[reports.GrowthPoint]
    chart: Chart


class SubscribersReportView(_AdminPage, TemplateView):
    permission = VIEW_READERS
    template_name = "audience/admin/subscribers.html"
    page_title = gettext_lazy("Subscribers")
    header_icon = "group"
    # Shown period in days → days per point: a year drawn daily would be 365 unreadable steps.
    PERIODS = {30: 1, 90: 1, 364: 7}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        try:
            days = int(self.request.GET.get("days", 30))
        except ValueError:
            days = 30
        if days not in self.PERIODS:
            days = 30
        series = reports.growth(days=days, step=self.PERIODS[days])
        newsletters = []
        for counts in reports.subscriber_counts():
            points = series.get(counts.newsletter.pk, [])
            newsletters.append(
                NewsletterReport(
                    counts,
                    points,
                    chart(
                        [p.subscribed for p in points],
                        # Month and day in the editor's language ("Nov. 29", "29 de noviembre").
                        labels=[date_format(p.day, "MONTH_DAY_FORMAT") for p in points],
                    ),
                )
            )
        return super().get_context_data(
            newsletters=newsletters,
            days=days,
            step=self.PERIODS[days],
            periods=list(self.PERIODS),
            export_url=reverse("audience_csv:export"),
            readers_url=reverse_lazy("audience_reader:index"),
            **kwargs,
        )
