"""The portal's language: `?lang=hi` (or `en`) on any page, remembered in a cookie; else
the browser's `Accept-Language`; else English. Translations, dates and human words come
from `registry.language`, so a page, an email and a PDF say the same thing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from urllib.parse import urlencode

from babel import Locale
from flask import Flask, Response, request
from flask_babel import Babel, LazyString, get_locale

from registry import language
from registry.errors import RegistryError

COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600

babel = Babel()


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in language.available():
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in language.available():
        return remembered
    return request.accept_languages.best_match(language.available()) or language.SOURCE


def current() -> str:
    locale = get_locale()
    return language.chosen(str(locale) if locale else None)


def _save_on_user() -> None:
    """A signed-in user's language is kept on the user too, so the emails to it are
    written in it: the one it picks with the switch (`?lang=`), or, until it picks one,
    the one its pages are shown in."""
    # Not for machines: the API, webhooks, and the health checks, which must answer
    # (503 with their own JSON) without touching the database first when it is away.
    if request.blueprint in {"api", "webhooks", "health"} or request.endpoint == "static":
        return
    from flask_login import current_user

    from portal.database import db
    from registry.members import accounts

    if not current_user.is_authenticated:
        return
    user = current_user.user
    asked = request.args.get("lang")
    code = asked if asked in language.available() else None
    if code is None and user.language is None:
        code = current()
    if code is not None and code != user.language:
        accounts.choose_language(db(), user, code)
        db().commit()


def _remember(response: Response) -> Response:
    asked = request.args.get("lang")
    if asked in language.available() and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    if "Content-Language" not in response.headers and response.mimetype == "text/html":
        response.headers["Content-Language"] = language.html_lang(current())
    return response


def lazy(message: str, **values: Any) -> str:
    """A text translated when it is shown, in that request's language: form labels,
    choices and validation messages, defined once when the module loads. (Typed `str`:
    it behaves as one wherever WTForms and Jinja use it.)"""
    return cast(str, LazyString(lambda: language.translate(current(), message, **values)))


def say(message: str, **values: Any) -> str:
    """A text in this request's language now (flash messages)."""
    return language.translate(current(), message, **values)


def said(shown: str | RegistryError) -> str:
    """A service's message (a `ValidationFailed` field's text, or the error itself) in this
    request's language when the catalogue has it; state names in it read as words."""
    code = current()
    if isinstance(shown, RegistryError):
        values = {
            k: language.words(v, code) if v in language.WORDS else v
            for k, v in shown.values.items()
        }
        return language.translate(code, shown.template, **values)
    return language.said_in(shown, code)


def _actor(label: str) -> str:
    """Who acted, as an audit row names them: a user's email as it is; the registry, the
    gateway or the reported business in the reader's language."""
    source = language.WORDS.get(f"actor.{label}")
    return language.translate(current(), source) if source else label


def say_plural(singular: str, plural: str, num: int) -> str:
    text = language.translations(current()).ngettext(singular, plural, num)
    return text % {"num": num}


def kept() -> str | None:
    """The language to carry in this page's own links and forms (`?lang=`) when it is not
    English: a debtor's notice page keeps its language without a cookie. None (English)
    leaves the URL as it was (`url_for` drops None)."""
    code = current()
    return None if code == language.SOURCE else code


def switch_url(code: str) -> str:
    """This page in another language (its other query arguments kept)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return f"{request.path}?{query}"


def _day(value: date | datetime | str | None) -> str:
    """A date, a time, or either written ISO 8601 (as a report's JSON holds them)."""
    if isinstance(value, str):
        if not value:
            return ""
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return language.day(value, current())


def _moment(value: datetime | str | None) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return language.moment(value, current())


def _words(value: Any) -> str:
    return language.words(value, current())


def _languages() -> list[tuple[str, str]]:
    """Each language by its own name (English, हिन्दी, मराठी ...)."""
    return [
        (code, Locale.parse(code).get_display_name(code) or code) for code in language.available()
    ]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_timezone=language.INDIA)
    # Pages translate from the same catalogue as emails and PDFs (`registry.language`).
    # Jinja's new-style gettext fills the `%(name)s` placeholders itself (escaped).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: language.translations(current()).gettext(message),
        ngettext=lambda singular, plural, n: language.translations(current()).ngettext(
            singular, plural, n
        ),
        newstyle=True,
    )
    app.before_request(_save_on_user)
    app.after_request(_remember)
    app.jinja_env.filters.update(day=_day, moment=_moment, words=_words, said=said, actor=_actor)
    app.jinja_env.globals.update(
        html_lang=lambda: language.html_lang(current()),
        current_language=current,
        languages=_languages,
        switch_url=switch_url,
        kept_language=kept,
    )
