"""The public pages in the council's languages: the language is in the
address (/ar/reviews/...), English keeps its addresses, every link on a
page stays in its language, the switcher offers the same page in each
language, Arabic and Urdu pages run right to left, dates are the
language's own, and each language's page is cached apart."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from config import ConfigError
from scrutiny import create_app
from tests.conftest import limiter_back_to
from scrutiny.clock import to_local
from scrutiny.extensions import db
from scrutiny.jobs import redis_connection
from scrutiny.publication import page_cache
from scrutiny.publication.models import Publication
from tests.test_letters import SECOND, second  # noqa: F401
from tests.test_public_pages import published  # noqa: F401
from tests.test_responses_sending import text

REVIEW = f"/reviews/{SECOND}"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "scrutiny" / "translations"
CODES = ["en", "ar", "bn", "gu", "pl", "pa", "ro", "so", "ur"]


def soup(page) -> BeautifulSoup:
    return BeautifulSoup(page.text, "html.parser")


def test_the_arabic_page_is_arabic_and_right_to_left(app, client, published):  # noqa: F811
    page = client.get(f"/ar{REVIEW}")
    assert page.status_code == 200
    html = soup(page).html
    assert (html["lang"], html["dir"]) == ("ar", "rtl")
    shown = text(page)
    assert "المحتويات" in shown and "التوصيات" in shown and "الانتقال إلى المحتوى الرئيسي" in shown
    # The officers' words are shown as written, marked as English for screen readers and layout.
    title = soup(page).find("h1")
    assert title.get_text() == "Adult Social Care Waiting Times" and (title["lang"], title["dir"]) == ("en", "ltr")
    # Dates in Arabic: the month's Arabic name.
    with app.app_context():
        day = to_local(db.session.query(Publication).one().published_at)
    month = {11: "نوفمبر", 12: "ديسمبر", 1: "يناير", 2: "فبراير", 3: "مارس", 4: "أبريل", 5: "مايو", 6: "يونيو",
             7: "يوليو", 8: "أغسطس", 9: "سبتمبر", 10: "أكتوبر"}[day.month]
    assert f"نُشر التقرير النهائي في {day.day} {month} {day.year}" in shown


def test_links_stay_in_the_language_and_files_have_one_address(client, published):  # noqa: F811
    links = {a.get_text(" ", strip=True): a["href"] for a in soup(client.get(f"/pl{REVIEW}")).find_all("a")}
    assert links["Wszystkie opublikowane przeglądy"] == "/pl/reviews"  # the back link
    assert links["Obserwuj ten przegląd przez e-mail"] == f"/pl{REVIEW}/follow"
    assert links["Opublikowane przeglądy"] == "/pl/reviews"  # the footer's
    pdf = next(href for href in links.values() if href.endswith("report.pdf"))
    assert pdf == f"{REVIEW}/report.pdf"  # the same PDF in every language
    assert client.get(f"/pl{REVIEW}/report.pdf").status_code == 404


def test_the_switcher_offers_the_same_page_in_every_language(client, published):  # noqa: F811
    page = soup(client.get("/so/reviews?q=care&year=nonsense"))
    nav = page.find("nav", attrs={"aria-label": "Luqadaha"})
    links = nav.find_all("a")
    assert [a["lang"] for a in links] == CODES and [a["hreflang"] for a in links] == CODES
    assert [a.get_text() for a in links] == ["English", "العربية", "বাংলা", "ગુજરાતી", "Polski", "ਪੰਜਾਬੀ", "Română",
                                             "Soomaali", "اردو"]
    assert [a["href"] for a in links if a.get("aria-current")] == ["/so/reviews?q=care&year=nonsense"]
    assert links[0]["href"] == "/reviews?q=care&year=nonsense" and links[1]["href"] == "/ar/reviews?q=care&year=nonsense"
    alternates = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate")}
    assert alternates["ur"] == "/ur/reviews?q=care&year=nonsense"
    # Staff pages have one language and no switcher.
    assert soup(client.get("/sign-in")).find("nav", attrs={"aria-label": "Languages"}) is None


def test_english_keeps_its_addresses_and_downloads_no_other_font(client, published):  # noqa: F811
    english = soup(client.get(REVIEW))
    assert (english.html["lang"], english.html["dir"]) == ("en", "ltr")
    stylesheets = [link["href"] for link in english.find_all("link", rel="stylesheet")]
    assert stylesheets == ["/static/build/app.css"]
    moved = client.get(f"/en{REVIEW}?x=1")
    assert moved.status_code == 308 and moved.headers["Location"] == f"{REVIEW}?x=1"
    for code, fonts in (("ar", "arabic"), ("ur", "urdu"), ("bn", "bengali"), ("gu", "gujarati"),
                        ("pa", "gurmukhi"), ("pl", "latin-ext")):
        page = soup(client.get(f"/{code}{REVIEW}"))
        assert [link["href"] for link in page.find_all("link", rel="stylesheet")] == [
            "/static/build/app.css", f"/static/build/fonts/{fonts}.css"], code
    assert (soup(client.get(f"/ur{REVIEW}")).html["dir"]) == "rtl"


@pytest.mark.parametrize("path", ["/de/reviews", f"/xx{REVIEW}", f"/AR{REVIEW}", "/ar/groups"])
def test_a_language_we_do_not_offer_is_not_found(client, published, path):  # noqa: F811
    assert client.get(path).status_code == 404


def test_a_missing_review_says_so_in_the_page_language(client, published):  # noqa: F811
    page = client.get("/bn/reviews/no-such-review")
    assert page.status_code == 404
    assert soup(page).html["lang"] == "bn" and "পৃষ্ঠা পাওয়া যায়নি" in text(page)


def test_the_follow_form_answers_in_its_language(client, published):  # noqa: F811
    page = client.get(f"/ro{REVIEW}/follow")
    assert page.status_code == 200 and "Urmăriți această analiză" in text(page)
    form = soup(page).find("form", method="post")
    assert form.get("action") in (None, "")  # posts back to /ro/..., so its answer is Romanian too
    token = form.find("input", attrs={"name": "csrf_token"})
    answer = client.post(f"/ro{REVIEW}/follow", data={"email": "", "csrf_token": token["value"] if token else ""})
    assert answer.status_code == 200 and "Introduceți adresa dvs. de e-mail" in text(answer)


def test_counts_agree_with_their_noun_in_each_language(client, published):  # noqa: F811
    # Polish has three forms: 1 przegląd, 2–4 przeglądy, 5+ przeglądów.
    assert "1 opublikowany przegląd" in text(client.get("/pl/reviews"))
    assert "1 published review" in text(client.get("/reviews"))


def test_each_language_is_cached_apart_and_forgotten_together(app, published):  # noqa: F811
    app.config["PUBLIC_CACHE_SECONDS"] = 30
    try:
        english = app.test_client().get(REVIEW)
        arabic = app.test_client().get(f"/ar{REVIEW}")
        assert english.headers["ETag"] != arabic.headers["ETag"]
        with app.app_context():
            kept = sorted(k.decode() for k in redis_connection().scan_iter(match=f"{page_cache.PREFIX}*"))
        assert f"{page_cache.PREFIX}{REVIEW}" in kept and f"{page_cache.PREFIX}/ar{REVIEW}" in kept
        # From the cache, each reader still gets their own language.
        assert soup(app.test_client().get(f"/ar{REVIEW}")).html["lang"] == "ar"
        assert soup(app.test_client().get(REVIEW)).html["lang"] == "en"
        with app.app_context():
            page_cache.forget(SECOND)
            assert list(redis_connection().scan_iter(match=f"{page_cache.PREFIX}*{SECOND}*")) == []
    finally:
        app.config["PUBLIC_CACHE_SECONDS"] = 0


def test_every_catalogue_is_complete_and_awaits_a_native_speaker():
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    wanted = {m.id for m in template if m.id}
    for code in CODES[1:]:
        path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
        catalogue = read_po(path.open("rb"))
        assert "Needs review by a native speaker" in path.read_text(encoding="utf-8").split("msgid")[0], code
        messages = [m for m in catalogue if m.id]
        assert {m.id for m in messages} == wanted, f"{code}: run make messages"
        assert [m.id for m in messages if m.fuzzy or not all(m.string if isinstance(m.string, tuple)
                                                            else [m.string])] == [], code
        assert path.with_suffix(".mo").exists(), f"{code}: make install compiles the catalogues"


def test_every_marked_string_is_in_the_template(tmp_path):
    """A string marked _() but not extracted would stay English in every language."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-o", str(out), "scrutiny", "templates"], cwd=root, check=True)
    fresh = {m.id for m in read_po(out.open("rb")) if m.id}
    kept = {m.id for m in read_po((TRANSLATIONS / "messages.pot").open("rb")) if m.id}
    assert fresh == kept, "run make messages and translate the new strings"


def test_languages_must_be_ones_we_have_english_first(app):
    try:
        with pytest.raises(ConfigError, match="no translation for: de"):
            create_app(LANGUAGES=["en", "de"], TESTING=True, SECRET_KEY="x", SQLALCHEMY_DATABASE_URI="sqlite://")
        with pytest.raises(ConfigError, match="must start with en"):
            create_app(LANGUAGES=["ar", "en"], TESTING=True, SECRET_KEY="x", SQLALCHEMY_DATABASE_URI="sqlite://")
    finally:
        limiter_back_to(app)  # the limiter follows the last app made: the session app's again


def test_a_council_offering_fewer_languages_has_only_those(app, published, request):  # noqa: F811
    from config import TestingConfig

    request.addfinalizer(lambda: limiter_back_to(app))
    fewer = create_app(TestingConfig, LANGUAGES=["en", "pl"], SQLALCHEMY_DATABASE_URI="sqlite://")
    client = fewer.test_client()
    assert client.get("/ar/reviews").status_code == 404
    assert re.search(r'hreflang="pl"', client.get("/pl/reviews").text)
