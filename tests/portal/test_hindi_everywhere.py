"""Issue 20, what was still English: a member's emails in the language it chose, the
notice page keeping Hindi across its own links and forms, the Hindi half of the notice
email linking to the Hindi page, and form and service messages in Hindi on a Hindi page."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from registry.actors import Actor
from registry.complaints import disputes, filing, life
from registry.identifiers import gstin_for
from registry.members import logins, watches
from registry.models import OutboxMessage, User
from tests.conftest import PDF, filing_request
from tests.payments.conftest import make_business

__all__ = ["make_business"]  # a fixture

DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def mails(db, kind):
    return db.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    ).all()


def test_the_language_switch_is_kept_on_the_user_and_its_emails_follow_it(
    client, auth, factory, db
):
    user = factory.member_user()
    db.commit()
    auth.login(user.email)
    client.get("/", query_string={"lang": "hi"})
    db.expire_all()
    assert db.get(User, user.id).language == "hi"
    logins.request_reset(db, user.email, "http://registry.example")
    [mail] = mails(db, "password_reset")
    assert mail.subject == "अपना Khata Registry पासवर्ड रीसेट करें"
    assert "http://registry.example/reset-password/" in mail.body
    assert DEVANAGARI.search(mail.body)
    client.get("/", query_string={"lang": "en"})
    db.expire_all()
    assert db.get(User, user.id).language == "en"


def test_a_user_who_never_chose_keeps_the_language_it_first_used(client, auth, factory, db):
    user = factory.member_user()
    user.language = None  # a login from before 0028_user_language
    db.commit()
    auth.login(user.email)
    client.get("/", headers={"Accept-Language": "hi-IN,hi;q=0.9"})
    db.expire_all()
    assert db.get(User, user.id).language == "hi"


def test_an_applicant_gets_the_language_it_applied_in(client, db):
    answer = client.post(
        "/apply?lang=hi",
        data={
            "business_name": "Sharma Kirana",
            "gstin": gstin_for("27", "AABCS1234Q"),
            "email": "owner@sharma-kirana.example",
            "password": "a long enough passphrase 42",
            "confirm": "a long enough passphrase 42",
            "industry": "Retail",
            "msme_category": "none",
            "gst_certificate": (io.BytesIO(PDF), "REG-06.pdf"),
        },
    )
    user = db.scalar(select(User).where(User.email == "owner@sharma-kirana.example"))
    assert user is not None, answer.get_data(as_text=True)[-2000:]
    assert user.language == "hi"


def test_a_sign_up_refused_by_the_service_says_why_in_hindi(client):
    answer = client.post(
        "/apply?lang=hi",
        data={
            "business_name": "Sharma Kirana",
            "gstin": gstin_for("27", "AABCS1234Q"),
            "email": "owner@sharma-kirana.example",
            "password": "a long enough passphrase 42",
            "confirm": "a long enough passphrase 42",
            "msme_category": "micro",
            "gst_certificate": (io.BytesIO(PDF), "REG-06.pdf"),
        },
    )
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "अपना उद्यम प्रमाणपत्र लगाएँ" in text and "attach your Udyam" not in text


def test_an_english_user_still_gets_english(db, factory):
    user = factory.member_user()
    logins.request_reset(db, user.email, "http://registry.example")
    [mail] = mails(db, "password_reset")
    assert mail.subject == "Reset your Khata Registry password"
    assert not DEVANAGARI.search(mail.body)


def test_a_hindi_members_dispute_mails_and_watch_alerts_are_in_hindi(db, settings, factory):
    reporter = factory.member_user(name="Gupta Cotton")
    watcher = factory.member_user(name="Patel Yarns")
    reporter.language = watcher.language = "hi"
    filed = filing.file_complaint(db, settings, Actor.of(reporter), filing_request())
    watches.watch(db, Actor.of(watcher), filed.complaint.business_id)
    life.list_notice_period_over(db, filed.complaint.notice_ends_at + timedelta(seconds=1))
    [alert] = mails(db, "watch_alert")
    assert alert.subject.startswith("निगरानी सूची: ") and "Lakshmi Paper Mart" in alert.subject
    assert "निगरानी" in alert.body and "You are watching" not in alert.body
    dispute = disputes.open_dispute(
        db, settings, filed.complaint, "wrong_amount", "We were billed twice for LP/2026/101."
    )
    [opened] = mails(db, "dispute_opened")[:1]
    assert opened.to_address == reporter.member.contact_email
    assert "आपत्ति" in opened.subject and "गलत राशि" in opened.body
    assert "wrong_amount" not in opened.body and "The debtor disputes" not in opened.body
    disputes.decide(
        db, dispute, "upheld", "The second invoice repeats the first.", Actor.of(factory.admin())
    )
    decided = [m for m in mails(db, "dispute_decided") if m.to_address == opened.to_address]
    assert len(decided) == 1
    assert "रजिस्ट्री ने आपत्ति स्वीकार की" in decided[0].body
    assert "The registry" not in decided[0].body


def test_a_hindi_member_is_told_of_a_payment_promise_in_hindi(db, settings, factory):
    reporter = factory.member_user()
    reporter.language = "hi"
    filed = filing.file_complaint(db, settings, Actor.of(reporter), filing_request())
    life.promise_payment(db, filed.complaint, date.today() + timedelta(days=10), date.today())
    [mail] = mails(db, "payment_promised")
    assert "भुगतान का वादा" in mail.subject and "mark the complaint" not in mail.body


def test_the_hindi_half_of_the_notice_email_links_to_the_hindi_page(db, settings, factory):
    filed = filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    [mail] = mails(db, "notice")
    english, hindi = mail.body.split("\n\n---\n\n")
    link = f"{settings.public_base_url}/notice/{filed.notice_token}"
    assert f"{link}\n" in english + "\n" and f"{link}?lang=hi" not in english
    assert f"{link}?lang=hi" in hindi


def test_the_notice_page_keeps_hindi_across_its_links_forms_and_flashes(
    client, db, settings, factory
):
    filed = filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    db.commit()
    token = filed.notice_token
    page = client.get(f"/notice/{token}?lang=hi").get_data(as_text=True)
    actions = re.findall(r'action="([^"]+)"', page)
    assert actions and all(a.endswith("lang=hi") for a in actions), actions
    evidence = re.findall(r'href="(/notice/[^"]+/evidence/[^"]+)"', page)
    assert evidence and all("lang=hi" in a for a in evidence)
    client.delete_cookie("lang")  # a debtor whose browser keeps no cookie
    promised = client.post(
        f"/notice/{token}/promise?lang=hi",
        data={"pay_by": (date.today() + timedelta(days=7)).isoformat()},
    )
    assert promised.status_code == 302 and promised.location.endswith("lang=hi")
    client.delete_cookie("lang")
    shown = client.get(promised.location).get_data(as_text=True)
    assert "आपूर्तिकर्ता को बता दिया गया है" in shown
    assert "The supplier is told" not in shown


def test_form_and_service_messages_are_in_hindi_on_a_hindi_page(client, auth, factory, db):
    user = factory.member_user()
    db.commit()
    auth.login(user.email)
    # WTForms' own message ("This field is required.") ...
    empty = client.post("/account/password?lang=hi", data={})
    assert empty.status_code == 422
    text = empty.get_data(as_text=True)
    assert "यह फ़ील्ड ज़रूरी है।" in text and "This field is required." not in text
    # ... and a service's ("The current password is incorrect.").
    wrong = client.post(
        "/account/password?lang=hi",
        data={
            "current_password": "not-my-password",
            "password": "a brand new long passphrase 42",
            "confirm": "a brand new long passphrase 42",
        },
    )
    text = wrong.get_data(as_text=True)
    assert "मौजूदा पासवर्ड सही नहीं है।" in text, text[-3000:]
    assert "The current password is incorrect." not in text


def test_the_api_keeps_english_messages(client, factory, db):
    key = factory.api_key(factory.member_user())
    db.commit()
    answer = client.post(
        "/api/v1/complaints?lang=hi",
        json={"debtor": {"name": "X"}},
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "hi"},
    )
    assert answer.status_code == 422
    assert not DEVANAGARI.search(answer.get_data(as_text=True))


def test_a_claim_code_asked_from_a_hindi_page_comes_in_hindi(db, settings, make_business):
    from registry.claims import codes

    business = make_business("Kesar Exports")
    business.mobile, business.contacts_source = "+919876543210", "import"
    db.flush()
    codes.start(db, settings.secret_key, business, "sms", lang="hi")
    [sms] = mails(db, "claim_code")
    assert sms.subject == "claim_code_hi"  # its own DLT template
    assert "Kesar Exports पर दावे के लिए आपका Khata Registry कोड" in sms.body


def test_a_complaints_history_reads_in_hindi(client, auth, db, settings, factory):
    user = factory.member_user()
    filed = filing.file_complaint(db, settings, Actor.of(user), filing_request())
    life.list_notice_period_over(db, filed.complaint.notice_ends_at + timedelta(seconds=1))
    disputes.open_dispute(db, settings, filed.complaint, "wrong_amount", "Billed twice for it.")
    db.commit()
    auth.login(user.email)
    page = client.get(f"/complaints/{filed.complaint.id}?lang=hi").get_data(as_text=True)
    history = page[page.index('<ol class="history">') :]
    history = history[: history.index("</ol>")]
    assert "स्थिति बदली" in history and "नोटिस अवधि बिना आपत्ति के समाप्त हुई" in history
    assert "नोटिस भेजा गया: " in history
    for english in ("transition", "notice period ended", "wrong_amount", "notice sent to"):
        assert english not in history, english


def test_a_privacy_request_is_acknowledged_in_both_languages_with_an_indian_date(db):
    from registry.rights import requests

    requests.file(db, "erasure", "someone@example.com", "Please erase what you hold about me.")
    [mail] = mails(db, "privacy_request_received")
    assert "erasure request" in mail.subject and "मिटाना अनुरोध" in mail.subject
    english, hindi = mail.body.split("\n\n---\n\n")
    assert "request for erasure" in english and "मिटाना" in hindi
    assert not re.search(r"\d{4}-\d{2}-\d{2}", mail.body)  # 4 Dec 2026, not ISO


def test_a_reset_asked_from_a_hindi_page_by_a_user_who_never_chose_comes_in_hindi(
    client, db, factory
):
    user = factory.member_user()
    user.language = None
    db.commit()
    client.post("/forgot-password?lang=hi", data={"email": user.email})
    [mail] = mails(db, "password_reset")
    assert mail.subject == "अपना Khata Registry पासवर्ड रीसेट करें"


def test_a_bad_gstin_is_explained_in_hindi(client):
    answer = client.post(
        "/apply?lang=hi",
        data={
            "business_name": "Sharma Kirana",
            "gstin": "27AABCS1234",
            "email": "owner@sharma-kirana.example",
            "password": "a long enough passphrase 42",
            "confirm": "a long enough passphrase 42",
            "msme_category": "none",
            "gst_certificate": (io.BytesIO(PDF), "REG-06.pdf"),
        },
    )
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "GSTIN में 15 अक्षर होते हैं" in text and "a GSTIN has 15 characters" not in text


def test_a_refused_login_is_explained_in_hindi(client, factory, db):
    user = factory.member_user()
    db.commit()
    answer = client.post("/login?lang=hi", data={"email": user.email, "password": "wrong one"})
    text = answer.get_data(as_text=True)
    assert "ईमेल या पासवर्ड सही नहीं है।" in text and "Email or password is incorrect" not in text


def test_every_flash_is_in_the_pages_language():
    """A flash is shown on the next page, in its language: its text goes through `say`
    (or `said`, for a service's message), never as bare English."""
    import ast
    from pathlib import Path

    bare = []
    for path in sorted(Path("portal").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "flash"):
                continue
            text = node.args[0]
            shown = [text.body, text.orelse] if isinstance(text, ast.IfExp) else [text]
            for part in shown:
                func = part.func if isinstance(part, ast.Call) else None
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name not in {"say", "said", "say_plural", "translate", "join"}:
                    bare.append(f"{path}:{node.lineno}")
    assert not bare, bare


def test_each_admin_is_emailed_in_its_own_language(db, settings, factory):
    hindi, english = factory.admin(), factory.admin()
    hindi.language = "hi"
    filed = filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    disputes.open_dispute(db, settings, filed.complaint, "already_paid", "Paid by NEFT on 3 May.")
    sent = {m.to_address: m for m in mails(db, "dispute_opened")}
    assert (
        sent[hindi.email].subject.startswith("शिकायत #") and "नई आपत्ति" in sent[hindi.email].subject
    )
    assert sent[english.email].subject.startswith("New dispute #")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", sent[english.email].body)


def test_messages_made_with_values_read_in_hindi_and_stay_english_in_the_api(app):
    """A service message built from a text and values (a GSTIN's state code, a file's
    name) is English where it is serialised, and Hindi on a Hindi page."""
    import json

    from portal import i18n
    from registry.identifiers import IdentifierError, validate_gstin
    from registry.language import Said

    try:
        validate_gstin("00AAACS1234K1Z5")
    except IdentifierError as exc:
        message = str(exc)
    assert isinstance(message, Said) and message.startswith("unknown state code 00")
    assert json.loads(json.dumps({"gstin": message})) == {"gstin": "unknown state code 00"}
    with app.test_request_context("/?lang=hi"):
        assert i18n.said(message) == "अज्ञात राज्य कोड 00"


def test_an_imports_row_errors_read_in_hindi_and_in_english(client, auth, factory, db):
    """The preview's per-row errors are kept with the import (as JSON) and still read in
    the page's language when it is opened again, in either language."""
    from registry import language
    from tests.members.conftest import TODAY, csv_bytes, gstin, row
    from tests.members.test_import_pages import post_file

    auth.login(factory.member_user().email)
    content = csv_bytes(
        [
            row(gst=gstin(1), number="A-1"),
            row(gst=gstin(1), number="A-2"),
            row(name="Balaji", gst=gstin(2), number="B-1", amount="12,34,5"),
            row(name="Kaveri", gst=gstin(3), number="K-1", invoiced=-3, due=-5),
            row(name="Total", number=""),
        ]
    )
    preview = client.get(post_file(client, content).headers["Location"] + "?lang=hi")
    table = html.unescape(preview.get_data(as_text=True))
    table = table[table.index('<table id="preview"') : table.index("</table>")]
    assert "राशि: '12,34,5' में अल्पविराम गलत जगह हैं" in table
    in_three_days = language.day(TODAY + timedelta(days=3), "hi")  # as the rows were dated
    assert f"बिल दिनांक {in_three_days} भविष्य में है" in table  # the date as Hindi writes it
    assert "भविष्य में है" in table and "अभी बीती नहीं है" in table
    assert '<label for="fix-4-debtor_name">देनदार का नाम</label>' in table
    assert "बिल पंक्ति 2 की शिकायत में जोड़ा गया" in table and "योग या खाली पंक्ति" in table
    for english in ("misplaced commas", "is in the future", "added to line", "a total or empty"):
        assert english not in table, english
    english = html.unescape(client.get(preview.request.path + "?lang=en").get_data(as_text=True))
    assert "amount: '12,34,5' has misplaced commas" in english
    assert "Invoice added to line 2 (same debtor)" in english


def test_labels_reasons_and_names_the_pages_build_read_in_hindi(
    client, auth, factory, db, settings
):
    """What pages build from the domain rather than from their templates: the dashboard's
    ageing buckets, the mobile field of the filing form, the scopes of an API key, the
    matcher's reasons in the duplicates queue, the PAN holder of an applicant, and the
    audit log's kinds and actors."""
    from registry.actors import SYSTEM
    from registry.directory import businesses, duplicates

    member = factory.member_user()
    filing.file_complaint(db, settings, Actor.of(member), filing_request())  # for the ageing
    factory.member_user(active=False)  # an applicant: the vetting line names its PAN holder
    auth.login(member.email)
    pages = {
        path: html.unescape(client.get(f"{path}?lang=hi").get_data(as_text=True))
        for path in ("/", "/complaints/new", "/account/api-keys")
    }
    assert "0–30 दिन" in pages["/"] and "days" not in pages["/"]
    assert "देनदार का मोबाइल (नोटिस SMS और WhatsApp से)" in pages["/complaints/new"]
    assert "search: व्यवसाय खोजें" in pages["/account/api-keys"]
    assert "search businesses" not in pages["/account/api-keys"]
    auth.logout()

    businesses.create(db, SYSTEM, "Aravali Sarees Pvt Ltd", city="Siliguri")
    businesses.create(db, SYSTEM, "Aravalli Saree Private Limited", city="Siliguri")
    duplicates.refresh(db)
    auth.login(factory.admin().email)
    queue = html.unescape(client.get("/admin/duplicates?lang=hi").get_data(as_text=True))
    assert "एक ही शहर" in queue and ("नाम मिलते-जुलते (" in queue or "सामान्यीकरण" in queue)
    assert "same city" not in queue and "names similar" not in queue
    members = html.unescape(client.get("/admin/members?lang=hi").get_data(as_text=True))
    assert "PAN धारक: व्यक्ति (प्रोप्राइटर)" in members  # the factory's PANs are a person's
    audit_page = html.unescape(client.get("/admin/audit?lang=hi").get_data(as_text=True))
    assert ">शिकायत</option>" in audit_page and ">रजिस्ट्री</td>" in audit_page
    assert "<td>registry</td>" not in audit_page


def test_error_pages_read_in_the_pages_language(client):
    """A 404 (a mistyped notice link, say) is the page a debtor is likeliest to meet."""
    page = client.get("/notice/not-a-token/nowhere?lang=hi")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 404 and "पृष्ठ नहीं मिला" in text and "इस पते पर कोई पृष्ठ नहीं" in text
    assert "requested URL" not in text and "Page not found" not in text
    english = client.get("/nowhere?lang=en").get_data(as_text=True)
    assert "Page not found" in english and "There is no page at this address" in english
