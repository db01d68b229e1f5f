"""Who looked: a member business's users see the enquiries about their own business, and
choose whether the businesses they enquire about may see their name."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import member_required, signed_in_user
from portal.database import db
from portal.i18n import say
from portal.pagination import paginate_list
from portal.web import bp
from portal.web.forms import NamedInInquiriesForm
from registry.reports import inquiries


@bp.route("/account/who-looked", methods=["GET", "POST"])
@member_required
def who_looked() -> Response | tuple[str, int]:
    member = signed_in_user().member
    assert member is not None  # member_required
    form = NamedInInquiriesForm(data={"named": "yes" if member.named_in_inquiries else "no"})
    if form.validate_on_submit():
        inquiries.set_named(db(), current_user.actor, member, form.named.data == "yes")
        flash(say("Saved."), "success")
        return redirect(url_for("web.who_looked"), 303)
    business = inquiries.own_business(db(), member)
    found = inquiries.inquiries_for(db(), business.id) if business is not None else []
    page = paginate_list(found)
    status = 422 if form.errors else 200
    return render_template(
        "account/who_looked.html", business=business, inquiries=page.items, page=page, form=form
    ), status
