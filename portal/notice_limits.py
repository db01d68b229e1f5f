"""Limits on what a notice link may post (promises to pay, disputes), counted per notice
as well as per address: each post emails the member, so a link must not become a way
to flood a member's inbox from many addresses. Buckets are named by a digest of the
token, never the token itself (the limiter's storage is not a place for secrets)."""

from __future__ import annotations

import hashlib

from flask import request

#: Posts one notice link may make, whatever addresses they come from.
PER_NOTICE = "5 per hour;10 per day"


def notice_bucket() -> str:
    token = (request.view_args or {}).get("token", "")
    return "notice:" + hashlib.sha256(str(token).encode()).hexdigest()[:32]
