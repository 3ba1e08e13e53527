"""Uploads served by Masthead itself (MASTHEAD_SERVE_MEDIA), documents excepted.

Wagtail keeps document files under ``documents/`` in the media folder. Served from there,
a document in a private collection would reach anyone who knows its name; documents are
served only by Wagtail's ``/documents/<id>/<name>`` view, which checks the collection's
view restrictions (issue 8). docs/deploy/nginx.conf refuses the same folder.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve

# Wagtail's AbstractDocument.file: upload_to="documents".
DOCUMENTS_FOLDER = "documents"


def serve_public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Serve ``path`` from MEDIA_ROOT like ``django.views.static.serve``; 404 for documents."""
    # The path as the file system will see it: "images/../documents/x.pdf" and
    # "//documents/x.pdf" name the same file as "documents/x.pdf".
    normalized = posixpath.normpath(path).lstrip("/")
    if normalized.split("/", 1)[0] == DOCUMENTS_FOLDER:
        raise Http404("Documents are served at /documents/.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)
