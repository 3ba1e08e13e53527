"""Request body limits, enforced before anything reads the body (issue 8).

Without nginx in front nothing else bounds a body: gunicorn hands any size on, and Django
spools a multipart upload to disk whatever its size. The admin, where editors upload
images, documents and CSV files, gets ``ADMIN_MAX_BODY_BYTES``; every other path (reader
forms, webhooks) gets ``MAX_BODY_BYTES``.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ADMIN_PREFIX = "/admin/"
_READ_SIZE = 64 * 1024


def body_limit(path: str) -> int:
    """The most bytes a request body to ``path`` may have."""
    if path.startswith(ADMIN_PREFIX):
        return settings.ADMIN_MAX_BODY_BYTES
    return settings.MAX_BODY_BYTES


class RequestBodyLimitMiddleware:
    """Refuse a body over the limit with 413 and a reason, having read none of it.

    A chunked body has no Content-Length to check, and Django would read it as empty; it
    is read here up to one byte past the limit, and handed on when it fits.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request.path_info)
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared:
            if not declared.isdigit():
                return _refuse(400, _("The request's Content-Length is not a number."))
            if int(declared) > limit:
                return _too_large(limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = _read_at_most(request.META["wsgi.input"], limit + 1)
            if len(body) > limit:
                return _too_large(limit)
            # Django sizes the body by CONTENT_LENGTH; give it the bytes we already read.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


def _read_at_most(stream: io.RawIOBase, size: int) -> bytes:
    parts, total = [], 0
    while total < size:
        part = stream.read(min(_READ_SIZE, size - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def _too_large(limit: int) -> HttpResponse:
    return _refuse(
        413,
        _("The request is too large: the limit here is %(size)s.")
        % {"size": filesizeformat(limit)},
    )


def _refuse(status: int, reason: str) -> HttpResponse:
    response = HttpResponse(reason + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
