"""The pager's links keep a list's own query arguments, and nothing a visitor slips in
can steer or break them."""

from __future__ import annotations

from registry.models import ComplaintStatus


def _two_pages(auth, factory, make_complaint) -> None:
    user = factory.member_user()
    for _ in range(26):
        make_complaint(user, ComplaintStatus.LISTED)
    auth.login(user.email)


def test_the_next_link_keeps_the_filter(client, auth, factory, make_complaint):
    _two_pages(auth, factory, make_complaint)
    page = client.get("/complaints?status=listed").get_data(as_text=True)
    assert 'href="/complaints?status=listed&amp;page=2" rel="next"' in page


def test_url_building_arguments_in_the_address_are_not_passed_on(
    client, auth, factory, make_complaint
):
    # Before: `_scheme` without `_external` made building the link fail (a 500), and
    # `_external`/`_anchor` turned the pager's links into absolute or anchored ones.
    _two_pages(auth, factory, make_complaint)
    for query in ("_scheme=javascript", "_external=1", "_anchor=x", "_method=POST"):
        answer = client.get(f"/complaints?{query}")
        assert answer.status_code == 200, query
        assert 'href="/complaints?page=2" rel="next"' in answer.get_data(as_text=True), query
