"""The journeys at phone width (390 px) and in Hindi: no page scrolls sideways, and the
filing form grows its invoice rows on demand."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from registry.identifiers import gstin_for
from registry.models import OutboxMessage
from tests.conftest import PDF
from tests.e2e.conftest import log_in, member_user
from tests.e2e.test_journeys import TODAY, file_for
from tests.portal.test_translation_coverage import _english_fragments

PHONE = 390


WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(-3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def assert_fits(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, (
        f"{what}: the page is {width} px wide on a {PHONE} px phone: {page.evaluate(WIDEST)}"
    )


def test_a_member_in_hindi_on_a_phone(new_page, seed, e2e_settings, shoot):
    user = member_user(seed, "श्री गणेश टेक्सटाइल्स")
    complaint = file_for(
        seed,
        e2e_settings,
        user,
        "Laxmi Narayan Paper Mart Private Limited",
        "ABCFL4321K",
        "LNPM/2026/000123",
        75,
        2_39_500_00,
    )
    seed.commit()
    page = new_page(width=PHONE, height=844)
    log_in(page, user.email)
    page.goto("/?lang=hi")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("navigation", name="मुख्य")).to_contain_text("मेरी शिकायतें")
    for path in (
        "/",
        "/complaints",
        f"/complaints/{complaint.id}",
        "/watches",
        "/reports",
        "/search?q=Laxmi+Narayan+Paper",
        "/account/api-keys",
        "/imports",
    ):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "hi")  # remembered
        assert_fits(page, path)
    shoot(page, "search-hindi-phone")

    page.goto("/complaints/new")
    assert_fits(page, "/complaints/new")
    rows = page.locator("tr[data-invoice-row]")
    expect(rows).to_have_count(1)
    add = page.get_by_role("button", name="एक और बिल जोड़ें")  # Add another invoice
    add.click()
    add.click()
    expect(rows).to_have_count(3)
    third = page.locator("input[name='invoices-2-number']")
    third.fill("INV-3")
    assert third.get_attribute("aria-label").endswith(" 3")
    assert_fits(page, "/complaints/new with three invoices")
    shoot(page, "filing-phone")

    body = seed.scalar(
        select(OutboxMessage.body).where(OutboxMessage.to_address.like("accounts@abcfl4321k%"))
    )
    debtor = new_page(width=PHONE, height=844)
    # The Hindi half of the notice email links to the notice page in Hindi.
    debtor.goto(re.search(r"/notice/[A-Za-z0-9_.\-]+\?lang=hi", body).group(0))
    expect(debtor.locator("html")).to_have_attribute("lang", "hi")
    assert_fits(debtor, "the notice")
    assert_no_english(debtor, "the notice")
    shoot(debtor, "notice-hindi-phone")


def assert_no_english(page, what: str) -> None:
    """No catalogue sentence shows in English on a Hindi page."""
    text = page.locator("body").inner_text()
    leaks = sorted(piece for piece in _english_fragments() if piece in text)
    assert not leaks, f"{what} shows English: {leaks[:5]}"


def test_a_member_previews_an_import_in_hindi(new_page, seed):
    """The import preview, marked for translation last, reads all in Hindi."""
    user = member_user(seed, "कावेरी ट्रेडर्स")
    header = "Party's Name,GSTIN/UIN,Email,Ref. No.,Date,Due on,Pending Amount\n"
    invoiced, due = TODAY - timedelta(days=80), TODAY - timedelta(days=50)
    rows = "".join(
        f"Buyer {n} Enterprises,{gstin_for('29', f'ABCF{chr(66 + n)}{4000 + n}R')},"
        f'b{n}@buyer.example,H-{n},{invoiced:%d-%m-%Y},{due:%d-%b-%Y},"1,25,000.00"\n'
        for n in range(3)
    )
    page = new_page()
    log_in(page, user.email)
    page.goto("/imports?lang=hi")
    page.locator("input[name=file]").set_input_files(
        {"name": "bills.csv", "mimeType": "text/csv", "buffer": (header + rows).encode()}
    )
    page.locator("input[name=documents]").set_input_files(
        {"name": "ledger.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.locator("form[enctype='multipart/form-data'] [type=submit]").first.click()
    expect(page.locator("#ready-count")).to_have_text("3")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator("#file-button")).to_contain_text("तैयार 3 शिकायतें दर्ज करें")
    assert_no_english(page, "the import preview")


def test_without_javascript_the_form_still_adds_rows(new_page, seed, e2e_settings):
    user = member_user(seed, "Sri Balaji Traders")
    page = new_page(javascript=False)
    log_in(page, user.email)
    page.goto("/complaints/new")
    page.get_by_label("Invoice number 1").fill("A-1")
    page.get_by_label("Due date 1").fill(str(TODAY - timedelta(days=3)))
    page.get_by_role("button", name="Add another invoice").click()
    expect(page.locator("tr[data-invoice-row]")).to_have_count(2)
    assert page.locator("input[name='invoices-0-number']").input_value() == "A-1"
