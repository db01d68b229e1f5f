"""`/healthz`: the app answers and its database does too (liveness).

`/readyz`: this instance may take traffic: the database answers *and* its schema is at
the migrations' head, so a load balancer keeps new code away from an old schema (and the
other way round) during an upgrade. It also says whether this worker's copy of the name
index is loaded yet ("index_copy"; searches read the tables until it is).

Both only read: on SQLite they answer while another process holds the write lock.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.database import db, index_copies
from registry import migrate
from registry.db import READS_ONLY

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db().connection(execution_options=READS_ONLY).execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok"}), 200


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    try:
        connection = db().connection(execution_options=READS_ONLY)
        connection.execute(text("SELECT 1"))
        current = migrate.current_heads(connection)
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "reason": "database unreachable"}), 503
    expected = migrate.expected_heads()
    if current != expected:
        return jsonify(
            {
                "status": "unavailable",
                "reason": "database schema is not at the migrations' head",
                "database_revision": sorted(current),
                "expected_revision": sorted(expected),
            }
        ), 503
    copies = index_copies()
    return jsonify(
        {
            "status": "ok",
            "revision": sorted(current),
            # this worker's copy of the name index: "loading" still serves every search
            # (from the tables), so it does not make the instance unready
            "index_copy": copies.ready(connection) if copies is not None else "off",
        }
    ), 200
