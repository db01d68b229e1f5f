"""The README's pictures of the portal in Hindi and at phone width (390 px): a member's
dashboard with complaints in several states, a settled complaint; the notice a Devanagari-named
business receives fits too. Each page must fit the phone (no sideways
scrolling). `E2E_SCREENSHOTS=docs/screenshots` saves them."""

from __future__ import annotations

from playwright.sync_api import expect

from registry.actors import SYSTEM, Actor
from registry.complaints import life
from registry.complaints.notices import links
from registry.models import ComplaintStatus
from tests.e2e.conftest import log_in, member_user
from tests.e2e.test_journeys import file_for
from tests.e2e.test_phone_and_hindi import PHONE, assert_fits

C = ComplaintStatus
FONTS_LOADED = "document.fonts.ready.then(() => document.fonts.check('16px \"Khata Devanagari\"'))"


def picture(shoot, page, name: str) -> None:
    """Every Devanagari glyph drawn in the shipped font before the picture is taken."""
    page.evaluate(FONTS_LOADED)
    page.reload()  # the fonts now come from the cache before the first paint
    page.evaluate(FONTS_LOADED)
    shoot(page, name)


def test_readme_pictures_in_hindi_at_phone_width(new_page, seed, e2e_settings, shoot):
    user = member_user(seed, "श्री गणेश टेक्सटाइल्स")
    filed = []
    stories = [
        ("श्री गणेश ट्रेडर्स", "ABCFG5151R", 95, 3_75_000_00, C.LISTED),
        ("Balaji Enterprises Surat", "ABCFB5252S", 60, 1_20_000_00, C.SETTLED),
        ("Deccan Auto Components", "ABCFD5353T", 30, 2_10_000_00, None),
        ("Om Shanti Logistics Surat", "ABCFO5454U", 20, 90_000_00, C.WITHDRAWN),
    ]
    for n, (name, pan, days, amount, status) in enumerate(stories):
        complaint = file_for(seed, e2e_settings, user, name, pan, f"RS-{n}", days, amount)
        if status is C.SETTLED:
            life.settle(seed, complaint, Actor.of(user), "paid by NEFT")
        elif status is C.WITHDRAWN:
            life.withdraw(seed, complaint, Actor.of(user))
        elif status is not None:
            life.transition(seed, complaint, status, SYSTEM, "notice period over")
        filed.append(complaint)
    token = links.issue_token(filed[0], e2e_settings.secret_key)
    seed.commit()

    phone = new_page(width=PHONE, height=844)
    log_in(phone, user.email)
    phone.goto("/?lang=hi")
    expect(phone.locator("html")).to_have_attribute("lang", "hi")
    expect(phone.locator("#withdrawn")).to_contain_text("वापस ली गई शिकायत")
    assert_fits(phone, "dashboard")
    picture(shoot, phone, "dashboard-hindi-phone")

    phone.goto(f"/complaints/{filed[1].id}")
    expect(phone.locator("#settled")).to_have_text("निपटाई गई, कुछ बकाया नहीं।")
    assert_fits(phone, "settled complaint")
    picture(shoot, phone, "complaint-settled-hindi-phone")

    debtor = new_page(width=PHONE, height=844)
    debtor.goto(f"/notice/{token}")
    debtor.get_by_role("link", name="हिन्दी").click()
    expect(debtor.locator("html")).to_have_attribute("lang", "hi")
    expect(debtor.locator("body")).to_contain_text("श्री गणेश ट्रेडर्स")
    assert_fits(debtor, "notice")

    wide = new_page()
    log_in(wide, user.email)
    wide.goto("/?lang=hi")
    expect(wide.get_by_role("heading", name="श्री गणेश टेक्सटाइल्स")).to_be_visible()
    picture(shoot, wide, "dashboard-hindi")
