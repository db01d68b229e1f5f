"""Evidence files are served only through views that checked who is asking."""

from __future__ import annotations

from flask import Response, abort, send_from_directory

from portal.database import settings
from registry.models import Complaint
from registry.uploads import evidence


def send_evidence(complaint: Complaint, file_id: int) -> Response:
    item = evidence.belonging_to(complaint, file_id)
    if item is None:
        abort(404)
    response = send_from_directory(
        settings().uploads_path,
        item.stored_name,
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.original_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
