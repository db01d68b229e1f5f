"""Three journeys through the portal in a real browser (see conftest.py), plus the bulk
import, whose progress bar is driven by the portal's one static script."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from registry import language
from registry.actors import SYSTEM, Actor
from registry.complaints import disputes, filing, life
from registry.directory import businesses
from registry.directory.debtors import DebtorIn
from registry.identifiers import gstin_for
from registry.models import (
    Complaint,
    ComplaintStatus,
    DuplicatePair,
    OutboxMessage,
)
from tests.conftest import PDF
from tests.e2e.conftest import admin_user, log_in, member_user

TODAY = date.today()


def fresh(session):
    """Forget what this session read: the server has committed since."""
    session.rollback()
    session.expire_all()


def file_for(session, settings, user, name, pan, number, days, amount, state="24", email=None):
    request = filing.FilingIn(
        debtor=DebtorIn(
            name=name,
            gstin=gstin_for(state, pan),
            city="Surat",
            state="Gujarat",
            email=email or f"accounts@{pan.lower()}.example",
        ),
        invoices=[
            filing.InvoiceIn(
                number, TODAY - timedelta(days=days + 30), TODAY - timedelta(days=days), amount
            )
        ],
        evidence=[filing.EvidenceIn("invoice.pdf", PDF)],
    )
    return filing.file_complaint(session, settings, Actor.of(user), request).complaint


def test_a_member_files_a_complaint_with_evidence_and_follows_it(
    new_page, seed, e2e_settings, shoot
):
    user = member_user(seed, "Shree Ganesh Textiles Pvt Ltd")
    for n, (days, amount, status) in enumerate(
        [
            (20, 180000_00, None),
            (50, 95000_00, ComplaintStatus.LISTED),
            (120, 240000_00, ComplaintStatus.LISTED),
        ]
    ):
        earlier = file_for(
            seed,
            e2e_settings,
            user,
            f"Earlier Buyer {n}",
            f"ABCF{'XYZ'[n]}120{n}Q",
            f"E-{n}",
            days,
            amount,
        )
        if status:
            life.transition(seed, earlier, status, SYSTEM, "notice period over")
    seed.commit()

    member = new_page()
    log_in(member, user.email)
    expect(member.get_by_role("heading", name="Shree Ganesh Textiles Pvt Ltd")).to_be_visible()
    member.get_by_role("navigation", name="Main").get_by_role(
        "link", name="File a complaint"
    ).click()
    member.get_by_label("Business name").fill("Om Shanti Logistics")
    member.get_by_label("GSTIN", exact=True).fill(gstin_for("07", "ABCFO6666F"))
    member.get_by_label("City").fill("New Delhi")
    member.get_by_label("Debtor's email (for the notice)").fill("pay@omshanti.example")
    member.get_by_label("Invoice number 1").fill("OSL-77")
    member.get_by_label("Invoice date 1").fill(str(TODAY - timedelta(days=70)))
    member.get_by_label("Due date 1").fill(str(TODAY - timedelta(days=40)))
    member.get_by_label("Amount (₹) 1").fill("350000")
    member.get_by_label("Paid so far (₹) 1").fill("50000")
    member.locator("input[name=evidence]").set_input_files(
        {"name": "osl-77.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    member.get_by_role("button", name="File complaint").click()

    expect(member.get_by_role("heading", level=1)).to_contain_text("Om Shanti Logistics")
    expect(member.get_by_role("status").first).to_contain_text(
        "the debtor has been sent its notice"
    )
    expect(member.locator("main")).to_contain_text("₹3,00,000.00")
    expect(member.get_by_role("link", name="osl-77.pdf")).to_be_visible()
    complaint_id = int(re.search(r"/complaints/(\d+)", member.url).group(1))
    shoot(member, "complaint")

    body = seed.scalar(
        select(OutboxMessage.body).where(OutboxMessage.to_address == "pay@omshanti.example")
    )
    notice_path = re.search(r"/notice/[A-Za-z0-9_.\-]+", body).group(0)
    debtor = new_page()
    debtor.goto(notice_path)
    expect(debtor.get_by_role("heading", level=1)).to_have_text("Notice to Om Shanti Logistics")
    expect(debtor.get_by_role("navigation", name="This notice")).to_be_visible()
    shoot(debtor, "notice")
    debtor.get_by_label("We will pay by").fill(str(TODAY + timedelta(days=10)))
    debtor.get_by_role("button", name="Tell the supplier").click()
    expect(debtor.get_by_role("status").first).to_contain_text(
        "The supplier is told you will pay by"
    )

    member.reload()
    expect(member.locator("main")).to_contain_text(
        f"promised to pay by {language.day(TODAY + timedelta(days=10))}"
    )
    member.get_by_role("button", name="Mark settled").click()
    expect(member.locator(".status").first).to_have_text("settled, nothing outstanding")
    member.get_by_role("link", name="Dashboard").click()
    expect(member.locator("#recovered")).to_have_text("₹3,00,000.00")
    expect(member.locator("svg.chart")).to_be_visible()
    shoot(member, "member-dashboard")
    member.set_viewport_size({"width": 390, "height": 844})  # a phone
    expect(member.get_by_role("link", name="Import CSV")).to_be_visible()
    shoot(member, "member-dashboard-phone")
    fresh(seed)
    assert seed.get(Complaint, complaint_id).status is ComplaintStatus.SETTLED


def test_a_trader_searches_buys_a_report_on_the_gateway_and_reads_it(
    new_page, seed, e2e_settings, shoot
):
    reporter = member_user(seed, "Marwar Steel Traders", industry="Steel")
    listed = file_for(
        seed,
        e2e_settings,
        reporter,
        "Shree Balaji Steel Traders",
        "ABCFB5151K",
        "MS-9",
        75,
        420000_00,
        state="08",
    )
    life.transition(seed, listed, ComplaintStatus.LISTED, SYSTEM, "notice period over")
    trader = member_user(seed, "Kaveri Agro Foods LLP", industry="Food processing")
    seed.commit()
    gstin = gstin_for("08", "ABCFB5151K")

    page = new_page()
    log_in(page, trader.email)
    page.get_by_role("searchbox", name="Search a business by name, GSTIN or PAN").fill(gstin)
    page.get_by_role("search").get_by_role("button", name="Search").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Shree Balaji Steel Traders")
    expect(page.locator("#result-count")).to_contain_text("1 result")
    results.get_by_role("button", name="Watch").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "You are watching Shree Balaji Steel Traders"
    )
    expect(results.get_by_role("button", name=re.compile("Watching"))).to_be_visible()
    shoot(page, "search-results")

    results.get_by_role("link", name=re.compile("Credit report")).click()
    expect(page.locator("#price")).to_have_text("₹499.00 (INR)")
    page.get_by_role("button", name=re.compile("through the gateway")).click()
    expect(page.get_by_role("heading", name="Test payment gateway")).to_be_visible()
    expect(page.locator("#amount")).to_contain_text("₹499.00")
    page.get_by_role("button", name="Pay", exact=True).click()

    expect(page.get_by_role("status").first).to_contain_text("Your report is ready")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Credit report: Shree Balaji Steel Traders"
    )
    expect(page.locator("#gstins")).to_contain_text(gstin)
    expect(page.locator("main")).to_contain_text("Steel")  # the reporter's industry, not its name
    expect(page.locator("main")).not_to_contain_text("Marwar Steel Traders")
    assert 0 <= int(page.locator("#score").inner_text()) <= 100
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown by app.js
    shoot(page, "report")


def test_an_admin_decides_a_dispute_and_merges_a_duplicate(new_page, seed, e2e_settings, shoot):
    reporter = member_user(seed, "Gupta Cotton Mills Ltd")
    complaint = file_for(
        seed,
        e2e_settings,
        reporter,
        "New India Packaging",
        "ABCFN5505E",
        "NIP-4",
        45,
        260000_00,
        state="33",
    )
    dispute = disputes.open_dispute(
        seed,
        e2e_settings,
        complaint,
        "wrong_amount",
        "We returned 40 cartons on 12 March; the invoice ignores the credit note.",
        [disputes.Document("credit-note.pdf", PDF)],
    )
    one = businesses.create(
        seed, SYSTEM, "Agarwal Hardware & Sons", city="Kanpur", state="Uttar Pradesh"
    )
    two = businesses.create(
        seed, SYSTEM, "Agarwal Hardware and Sons", city="Kanpur", state="Uttar Pradesh"
    )
    seed.add(
        DuplicatePair(
            a_id=min(one.id, two.id),
            b_id=max(one.id, two.id),
            score=96.5,
            reasons=json.dumps(["same name once & is read as and", "same city"]),
        )
    )
    admin = admin_user(seed)
    seed.commit()

    page = new_page()
    log_in(page, admin.email, admin.totp_secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dispute queue")
    page.get_by_role("link", name=f"#{dispute.id}", exact=True).click()
    expect(page.locator("main")).to_contain_text("credit note")
    expect(page.get_by_role("link", name="credit-note.pdf")).to_be_visible()
    shoot(page, "admin-dispute")
    page.get_by_label("Reject the dispute: list the complaint").check()
    page.get_by_label("Reasons (both sides see them)").fill(
        "The credit note was never issued; the delivery challan is signed in full."
    )
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Dispute #{dispute.id}: rejected.")
    fresh(seed)
    assert seed.get(Complaint, complaint.id).status is ComplaintStatus.LISTED

    page.get_by_role("link", name="Duplicates").click()
    pair = page.locator("section.pair").filter(has_text="Agarwal Hardware and Sons")
    expect(pair).to_contain_text("same city")
    shoot(page, "duplicates")
    keep_first = pair.locator("form").filter(has=page.get_by_role("button", name="Keep this one"))
    keep_first.first.get_by_role("button").click()  # unticked: the browser refuses to send
    expect(page.get_by_role("status")).to_have_count(0)
    keep_first.first.get_by_label("I checked: these are the same business").check()
    keep_first.first.get_by_role("button").click()
    expect(page.get_by_role("status").first).to_contain_text("merged into")
    expect(page.get_by_role("heading", name="Merges")).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    fresh(seed)
    assert {
        seed.get(type(one), one.id).merged_into_id,
        seed.get(type(two), two.id).merged_into_id,
    } == {None, min(one.id, two.id)}


def test_a_member_imports_a_csv_and_watches_the_progress_bar(new_page, seed, shoot):
    from registry.bulk.steps import STEP

    user = member_user(seed, "Kaveri Traders")
    header = "Party's Name,GSTIN/UIN,Email,Ref. No.,Date,Due on,Pending Amount\n"
    invoiced, due = TODAY - timedelta(days=80), TODAY - timedelta(days=50)
    rows = [
        f"Buyer {n} Enterprises,{gstin_for('29', f'ABCF{chr(65 + n % 26)}{3000 + n}R')},"
        f'b{n}@buyer.example,K-{n},{invoiced:%d-%m-%Y},{due:%d-%b-%Y},"1,25,000.00"\n'
        for n in range(STEP + 4)
    ]
    rows.append(f"Broken Buyer,,x@y.example,K-X,31-02-2026,{TODAY:%d-%m-%Y},abc\n")
    content = (header + "".join(rows)).encode()

    page = new_page()
    log_in(page, user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV of overdue invoices").set_input_files(
        {"name": "tally-bills.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_label("Evidence documents (PDF, PNG or JPEG)").set_input_files(
        {"name": "ledger.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#ready-count")).to_have_text(str(STEP + 4))
    expect(page.locator("#error-count")).to_have_text("1")
    expect(page.locator("#preview")).to_contain_text("is not a date")
    shoot(page, "import-preview")
    page.get_by_role("button", name=re.compile("File the")).click()
    expect(page.locator("#import-done")).to_contain_text(
        f"{STEP + 4} complaints filed", timeout=30_000
    )
    expect(page.locator("#import-progress")).to_have_attribute("value", str(STEP + 4))
    expect(page.locator("#bad-rows")).to_contain_text("'31-02-2026' is not a date")
    shoot(page, "import-done")
