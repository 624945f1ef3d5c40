"""Comment threads under each finding, recommendation and report section."""
from datetime import datetime

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from scrutiny.findings import comments
from scrutiny.findings.models import Comment, ReportSection, SectionKind
from scrutiny.groups.services import get_group_by_slug
from tests.test_pages_accessibility import check_page

GROUP = "adult-social-care-waiting-times"
DRAFT = f"/groups/{GROUP}/draft"


def _soup(page):
    return BeautifulSoup(page.text, "html.parser")


def _ids(app):
    with app.app_context():
        group = get_group_by_slug(GROUP)
        section = ReportSection(topic_group=group, kind=SectionKind.SUMMARY, body="Key messages.")
        db.session.add(section)
        db.session.commit()
        return {"finding": group.findings[0].id, "recommendation": group.recommendations[0].id,
                "section": section.id}


def _as(browser, email):
    browser.client.delete_cookie("session")
    browser.sign_in(email)


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment))


def test_councillors_and_officers_comment_on_each_kind_of_item(app, browser, second_case):
    ids = _ids(app)
    browser.sign_in("chair@second.example")
    for kind, item_id in ids.items():
        page = browser.submit(f"{DRAFT}/comments/{kind}/{item_id}",
                              {f"comment-{kind}-{item_id}-body": f"A point about this {kind}.\nSecond line."},
                              form_page=DRAFT, follow=True)
        assert "Your comment is added." in page.text
        thread = _soup(page).select_one(f"#comments-{kind}-{item_id}")
        assert f"A point about this {kind}." in thread.text and "Councillor Tom Chairperson" in thread.text
    _as(browser, "lead@second.example")
    page = browser.submit(f"{DRAFT}/comments/finding/{ids['finding']}",
                          {f"comment-finding-{ids['finding']}-body": "Figures arrive next week."},
                          form_page=DRAFT, follow=True)
    thread = _soup(page).select_one(f"#comments-finding-{ids['finding']}")
    assert [p.text for p in thread.select(".app-comment__body")] == ["A point about this finding.\nSecond line.",
                                                                      "Figures arrive next week."]
    assert "Comments on finding 1 (2)" in thread.text
    check_page(page.text, DRAFT)


def test_a_comment_shows_its_time_on_the_councils_clock(app, browser, second_case):
    ids = _ids(app)
    with app.app_context():
        group = get_group_by_slug(GROUP)
        comments.add_comment(group, find_user("member@second.example"), "section", ids["section"], "Summer.",
                             at=datetime(2026, 7, 1, 9, 0))  # stored UTC; 10:00 in London (BST)
        db.session.commit()
    browser.sign_in("member@second.example")
    thread = _soup(browser.get(DRAFT)).select_one(f"#comments-section-{ids['section']}")
    assert "1 July 2026 at 10:00" in thread.text


def test_an_empty_or_overlong_comment_is_refused_and_the_typed_text_kept(app, browser, second_case):
    ids = _ids(app)
    browser.sign_in("member@second.example")
    field = f"comment-finding-{ids['finding']}-body"
    url = f"{DRAFT}/comments/finding/{ids['finding']}"
    page = browser.submit(url, {field: "   "}, form_page=DRAFT)
    soup = _soup(page)
    links = soup.select(".govuk-error-summary a")
    assert [a.text.strip() for a in links] == ["Enter your comment"]
    assert soup.select_one(links[0]["href"]) is not None
    assert soup.title.text.startswith("Error: ")
    long = "x" * (comments.MAX_COMMENT + 1)
    page = browser.submit(url, {field: long}, form_page=DRAFT)
    soup = _soup(page)
    assert "Your comment must be 2000 characters or fewer" in soup.select_one(".govuk-error-summary").text
    assert soup.select_one(f"#{field}").text == long
    assert soup.select_one(f"#{field}").find_parent("details").has_attr("open")
    assert _count(app) == 0


def test_outsiders_cannot_comment_and_items_of_other_groups_are_not_found(app, browser, second_case, demo_case):
    ids = _ids(app)
    browser.sign_in("outsider@second.example")
    page = browser.submit(f"{DRAFT}/comments/finding/{ids['finding']}",
                          {f"comment-finding-{ids['finding']}-body": "Let me in."}, form_page="/my-groups")
    assert page.status_code == 403
    with app.app_context():
        demo_finding = get_group_by_slug(demo_case).findings[0].id
    _as(browser, "lead@second.example")
    page = browser.submit(f"{DRAFT}/comments/finding/{demo_finding}",
                          {f"comment-finding-{demo_finding}-body": "Wrong group."}, form_page=DRAFT)
    assert page.status_code == 404
    page = browser.submit(f"{DRAFT}/comments/nonsense/{ids['finding']}", {}, form_page=DRAFT)
    assert page.status_code == 404
    assert _count(app) == 0
