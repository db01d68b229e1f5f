"""Every text a reader meets is in the catalogue, every catalogue text has its Hindi, and
no English sentence or internal name (`in_notice`, `wrong_amount`) reaches a Hindi page,
an email or the CSV export."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from sqlalchemy import select

from registry import language
from registry.actors import Actor
from registry.complaints import disputes, filing
from registry.models import ComplaintStatus, OutboxMessage
from registry.models.complaints import DisputeReason
from tests.conftest import filing_request

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "portal" / "templates"
CATALOGUES = ROOT / "registry" / "translations"

#: Templates still holding bare English (not yet marked for translation). The list may
#: only shrink: a new template must mark its texts, and a fixed one must leave the list.
NOT_YET_MARKED: frozenset[str] = frozenset()

#: Texts that read the same in every language (codes, identifiers, example JSON).
LITERAL = re.compile(
    r"^(POST /api/v1/\S+|\{\"kind\".*|(GSTIN|PAN|INR|[#·:,()/%–—…\s\d])*)$", re.DOTALL
)


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _bare_english(source: str) -> list[str]:
    """The human text of a template left outside `_()`: what remains once comments,
    scripts, Jinja tags and expressions and HTML tags are taken out."""
    text = re.sub(r"{#.*?#}", "", source, flags=re.S)
    # A hint or text handed to a macro as a bare string literal.
    found = re.findall(r"(?<![-\w])(?:hint|label|text)=[\"'](?!{)[^\"']*[A-Za-z]{2,}", text)
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    for attribute in re.finditer(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"', text):
        if re.search(r"[a-z]{2,}", attribute.group(1)):  # words, not a code like KR-XXXX
            found.append(attribute.group(0))
    text = re.sub(r"<[^>]+>", "\n", text, flags=re.S)
    for line in text.splitlines():
        line = html.unescape(line).strip()
        if re.search(r"[A-Za-z]{2,}", line) and not LITERAL.match(line):
            found.append(line)
    return found


def test_every_template_text_is_marked_for_translation():
    leftovers: dict[str, list[str]] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        bare = _bare_english(path.read_text(encoding="utf-8"))
        if bare and name not in NOT_YET_MARKED:
            leftovers[name] = bare[:5]
        if not bare:
            assert name not in NOT_YET_MARKED, f"{name} is done: take it off NOT_YET_MARKED"
    assert not leftovers, leftovers


def test_the_template_catalogue_is_current(tmp_path):
    """`make messages` leaves no diff: the `.pot` holds exactly the texts in the code and
    templates."""
    fresh = tmp_path / "messages.pot"
    # What `make messages` runs (its keywords are the Makefile's MESSAGE_KEYWORDS).
    keywords = re.search(r"^MESSAGE_KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert keywords
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(
            [
                "pybabel",
                "--quiet",
                "extract",
                "-F",
                "babel.cfg",
                *keywords.group(1).split(),
                "--no-location",
                "--sort-output",
                "-o",
                str(fresh),
                ".",
            ]
        )
    finally:
        os.chdir(here)
    extracted = {m.id for m in _read(fresh) if m.id}
    stored = {m.id for m in _read(CATALOGUES / "messages.pot") if m.id}
    assert extracted - stored == set(), "new texts: run `make messages`"
    assert stored - extracted == set(), "texts no longer used: run `make messages`"


@pytest.mark.parametrize("code", [c for c in language.available() if c != language.SOURCE])
def test_every_text_has_its_translation(code):
    template = {m.id for m in _read(CATALOGUES / "messages.pot") if m.id}
    catalogue = _read(CATALOGUES / code / "LC_MESSAGES" / "messages.po")
    missing = []
    for message_id in sorted(template, key=str):
        entry = catalogue.get(message_id)
        strings = entry.string if entry else None
        filled = all(strings) if isinstance(strings, tuple) else bool(strings)
        if not filled or (entry is not None and entry.fuzzy):
            missing.append(message_id)
    assert not missing, missing[:10]


def _english_fragments() -> set[str]:
    """The longest literal piece of each catalogue text whose Hindi differs: the part
    that would show if a page forgot to translate it."""
    catalogue = _read(CATALOGUES / "hi" / "LC_MESSAGES" / "messages.po")
    pieces: set[str] = set()
    for message in catalogue:
        if not message.id or not message.string:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        longest = max(re.split(r"%\(\w+\)[sd]|%%", source), key=len).strip(" .,:;")
        if len(longest) >= 14 and " " in longest and longest not in str(message.string):
            pieces.add(longest)
    return pieces


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


INTERNAL = {s.value for s in ComplaintStatus if "_" in s.value} | {
    r.value for r in DisputeReason if "_" in r.value
}


def test_hindi_pages_show_no_english_sentence_or_internal_name(
    app, client, auth, factory, db, settings
):
    user = factory.member_user(name="Gupta Cotton")
    filed = filing.file_complaint(db, settings, Actor.of(user), filing_request())
    db.commit()
    auth.login(user.email)
    english = _english_fragments()
    assert len(english) > 50
    member_pages = [
        "/",
        "/complaints",
        "/complaints/new",
        f"/complaints/{filed.complaint.id}",
        "/search?q=Lakshmi&lang=hi",
        "/watches",
        "/account/password",
    ]
    pages = {
        path: client.get(path + ("&" if "?" in path else "?") + "lang=hi") for path in member_pages
    }
    pages["notice"] = client.get(f"/notice/{filed.notice_token}")
    auth.logout()
    for path in ("/", "/login", "/apply", "/forgot-password", "/privacy", "/grievance"):
        pages[path] = client.get(path, query_string={"lang": "hi"})
    problems = []
    for path, response in pages.items():
        assert response.status_code == 200, (path, response.status_code)
        text = _visible(response.get_data(as_text=True))
        problems += [(path, piece) for piece in english if piece in text]
        problems += [(path, name) for name in INTERNAL if name in text]
    assert not problems, problems


def test_emails_and_the_csv_export_carry_no_internal_name(app, client, auth, factory, db, settings):
    user = factory.member_user()
    filed = filing.file_complaint(db, settings, Actor.of(user), filing_request())
    db.commit()
    assert filed.complaint.status.value == "in_notice"
    disputes.open_dispute(db, settings, filed.complaint, "wrong_amount", "We were billed twice.")
    db.commit()
    sent = db.scalars(select(OutboxMessage)).all()
    assert {m.kind for m in sent} >= {"dispute_opened"}
    assert sent, "the notice went nowhere"
    auth.login(user.email)
    texts = [m.subject + "\n" + m.body for m in sent]
    iso = [text[:80] for text in texts if re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)]
    assert not iso, iso  # dates read 4 Dec 2026
    for code in language.available():
        export = client.get("/complaints.csv", query_string={"lang": code})
        assert export.status_code == 200
        texts.append(export.get_data(as_text=True))
    leaks = [(name, text[:80]) for text in texts for name in INTERNAL if name in text]
    assert not leaks, leaks
