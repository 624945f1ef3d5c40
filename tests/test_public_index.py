"""The public index of published reviews (search, filters, pages) and the
Atom feeds: only live reviews, newest first, absolute links, cacheable,
no cookie; a withdrawn review's feed says so, an unpublished one is not there."""
from __future__ import annotations

from datetime import datetime

import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree

from tests.conftest import PASSWORD
from tests.factories import make_group, publish_group
from tests.test_pages_accessibility import check_page
from tests.test_letters import SECOND, second  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://scrutiny.council.example"
HOMES = "care-homes-quality"
BUSES = "rural-bus-services"
POTHOLES = "pothole-repairs"
DRAFTING = "library-opening-hours"


@pytest.fixture
def reviews(app, second, monkeypatch):  # noqa: F811 - the fixture imported above
    """The second review (published 2026, its report and responses news) beside
    reviews of our own: one published 2025, one 2027, one withdrawn, one never published."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE + "/")
    make_group(app, HOMES, "Quality in Care Homes", scope="How **residents** of care homes are kept safe.\n\n"
               "Second paragraph, not in the summary.", themes=("Home care", "Safeguarding"))
    make_group(app, BUSES, "Rural Bus Services", scope="Whether villages can reach the hospital by bus.",
               themes=("Transport",))
    make_group(app, POTHOLES, "Pothole Repairs", scope="Roads.", themes=("Transport",))
    make_group(app, DRAFTING, "Library Opening Hours", scope="Libraries.")
    publish_group(app, SECOND, at=datetime(2026, 3, 2, 10), events=(
        ("report_published", "Report published", "The group’s report and its evidence.", datetime(2026, 3, 2, 10)),
        ("responses_published", "Responses published", "What the council and the NHS trust said.",
         datetime(2026, 6, 1, 9)),
    ))
    publish_group(app, HOMES, at=datetime(2025, 11, 20, 12))
    publish_group(app, BUSES, at=datetime(2027, 1, 10, 12))
    publish_group(app, POTHOLES, at=datetime(2026, 1, 5, 9), withdrawn_at=datetime(2026, 2, 1, 9),
                  reason="Published before the trust had checked its figures.", events=(
                      ("report_published", "Report published", "", datetime(2026, 1, 5, 9)),))
    return app


def _titles(response) -> list[str]:
    check_page(response.text, response.request.full_path)
    soup = BeautifulSoup(response.text, "html.parser")
    return [h.get_text(strip=True) for h in soup.select("main .app-review-list h3")]


def test_the_index_lists_published_reviews_newest_first_to_anyone(client, reviews):
    response = client.get("/reviews")
    assert response.status_code == 200
    assert _titles(response) == ["Rural Bus Services", "Adult Social Care Waiting Times", "Quality in Care Homes"]
    text = " ".join(BeautifulSoup(response.text, "html.parser").main.get_text(" ").split())
    # One plain line from each scope (Markdown gone), the date published, the themes.
    assert "Why residents wait for care assessments, and what would shorten the wait." in text
    assert "How residents of care homes are kept safe." in text and "Second paragraph" not in text
    assert "Published 20 November 2025 · Themes: Home care, Safeguarding" in text
    assert "3 published reviews" in text
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("a", string="Adult Social Care Waiting Times")["href"] == f"/reviews/{SECOND}"
    assert soup.find("a", href="/reviews/feed.atom")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"].startswith("public")


def test_the_index_looks_the_same_signed_in(browser, reviews):
    browser.sign_in("lead@second.example", PASSWORD)
    response = browser.get("/reviews")
    assert _titles(response)[0] == "Rural Bus Services"
    assert "Sign out" not in response.text  # nothing of the account: a page anyone may be given
    assert "Set-Cookie" not in response.headers


def test_search_and_filters_narrow_the_list_and_stay_in_the_form(client, reviews):
    assert _titles(client.get("/reviews?q=HOSPITAL")) == ["Rural Bus Services"]  # in the scope, any case
    assert _titles(client.get("/reviews?q=care+waiting")) == ["Adult Social Care Waiting Times"]  # every word
    assert _titles(client.get("/reviews?year=2026")) == ["Adult Social Care Waiting Times"]
    assert _titles(client.get("/reviews?theme=Home+care")) == ["Adult Social Care Waiting Times",
                                                              "Quality in Care Homes"]
    assert _titles(client.get("/reviews?theme=Home+care&year=2025")) == ["Quality in Care Homes"]
    response = client.get("/reviews?q=care&year=2025&theme=Safeguarding")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("input", id="q")["value"] == "care"
    assert soup.find("select", id="year").find("option", selected=True).get_text() == "2025"
    assert soup.find("select", id="theme").find("option", selected=True).get_text() == "Safeguarding"
    # Only years and themes of published reviews are offered (not the withdrawn one's 2026 alone, nor drafts').
    assert [o.get_text() for o in soup.find("select", id="year").find_all("option")] == [
        "Any year", "2027", "2026", "2025"]
    none = client.get("/reviews?q=allotments")
    assert _titles(none) == [] and "No published review matches" in none.text
    assert _titles(client.get("/reviews?year=nonsense")) == _titles(client.get("/reviews"))


def test_more_than_a_page_of_reviews_is_split_into_pages(app, client, reviews, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_SIZE", 2)
    first = client.get("/reviews")
    assert _titles(first) == ["Rural Bus Services", "Adult Social Care Waiting Times"]
    soup = BeautifulSoup(first.text, "html.parser")
    assert soup.select_one("nav.govuk-pagination a[rel=next]")["href"] == "/reviews?page=2"
    assert _titles(client.get("/reviews?page=2")) == ["Quality in Care Homes"]
    assert _titles(client.get("/reviews?page=99")) == ["Quality in Care Homes"]
    filtered = BeautifulSoup(client.get("/reviews?theme=Home+care&page=1").text, "html.parser")
    assert filtered.select("nav.govuk-pagination") == []  # two found: one page


def _atom(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert "Set-Cookie" not in response.headers
    return ElementTree.fromstring(response.data)


def test_the_feed_of_every_review_has_an_entry_for_each_with_absolute_links(client, reviews):
    response = client.get("/reviews/feed.atom")
    feed = _atom(response)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Rural Bus Services", "Adult Social Care Waiting Times", "Quality in Care Homes"]
    ours = entries[1]
    assert ours.find(f"{ATOM}link").get("href") == f"{BASE}/reviews/{SECOND}"
    assert ours.findtext(f"{ATOM}summary") == "Why residents wait for care assessments, and what would shorten the wait."
    # Updated when it last changed: its responses were published in June.
    assert ours.findtext(f"{ATOM}updated").startswith("2026-06-01T09:00:00")
    assert ours.findtext(f"{ATOM}published").startswith("2026-03-02T10:00:00")
    assert [c.get("term") for c in entries[2].findall(f"{ATOM}category")] == ["Home care", "Safeguarding"]
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"][0]
    assert self_link.get("href") == f"{BASE}/reviews/feed.atom"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    etag = response.headers["ETag"]
    again = client.get("/reviews/feed.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_the_feed_changes_its_etag_when_a_review_is_published(app, client, reviews):
    etag = client.get("/reviews/feed.atom").headers["ETag"]
    publish_group(app, DRAFTING, at=datetime(2027, 2, 1, 9))
    response = client.get("/reviews/feed.atom", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert _atom(response).findall(f"{ATOM}entry")[0].findtext(f"{ATOM}title") == "Library Opening Hours"


def test_a_reviews_feed_has_its_events_newest_first(client, reviews):
    response = client.get(f"/reviews/{SECOND}/feed.atom")
    feed = _atom(response)
    assert feed.findtext(f"{ATOM}title") == "Adult Social Care Waiting Times"
    entries = feed.findall(f"{ATOM}entry")
    assert [(e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}summary"), e.findtext(f"{ATOM}updated")[:10])
            for e in entries] == [
        ("Responses published", "What the council and the NHS trust said.", "2026-06-01"),
        ("Report published", "The group’s report and its evidence.", "2026-03-02")]
    assert {e.find(f"{ATOM}link").get("href") for e in entries} == {f"{BASE}/reviews/{SECOND}"}
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2
    assert client.get(f"/reviews/{SECOND}/feed.atom",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_a_withdrawn_reviews_feed_says_so_and_unpublished_ones_are_not_found(client, reviews):
    feed = _atom(client.get(f"/reviews/{POTHOLES}/feed.atom"))
    newest = feed.findall(f"{ATOM}entry")[0]
    assert newest.findtext(f"{ATOM}title") == "This review was withdrawn"
    assert newest.findtext(f"{ATOM}summary") == "Published before the trust had checked its figures."
    assert "Pothole Repairs" not in client.get("/reviews").text
    assert client.get(f"/reviews/{DRAFTING}/feed.atom").status_code == 404
    assert client.get("/reviews/no-such-review/feed.atom").status_code == 404


def test_the_index_is_linked_from_every_page(client, reviews):
    soup = BeautifulSoup(client.get("/sign-in").text, "html.parser")
    assert soup.find("footer").find("a", href="/reviews").get_text() == "Published reviews"
