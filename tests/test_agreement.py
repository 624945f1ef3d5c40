"""The draft everyone in the group reads: circulating it, members' answers,
sign-off, the lock, reopening, and the versions as tracked changes."""
import re

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from scrutiny.findings import agreement
from scrutiny.findings.models import Draft, Finding, QualityOverride, ReportSection, SectionKind
from scrutiny.groups.services import get_group_by_slug
from tests.test_pages_accessibility import check_page

GROUP = "adult-social-care-waiting-times"
DRAFT = f"/groups/{GROUP}/draft"


def _soup(page):
    return BeautifulSoup(page.text, "html.parser")


def _text(page):
    return " ".join(_soup(page).get_text(" ").split())


def _errors(page):
    return [a.text.strip() for a in _soup(page).select(".govuk-error-summary a")]


def _as(browser, email):
    browser.client.delete_cookie("session")
    browser.sign_in(email)
    return browser


def _edit_finding(app, text):
    """What the officers' edit page does, directly: the live text moves on."""
    with app.app_context():
        finding = get_group_by_slug(GROUP).findings[0]
        # Only the first paragraph changes; the rest of the narrative stays.
        first, _, rest = finding.text.partition("\n\n")
        finding.text = f"{text}\n\n{rest}" if rest else text
        db.session.commit()


def _add_text(app):
    """A foreword and an overridden quality check, beside the second case's finding and recommendation."""
    with app.app_context():
        group = get_group_by_slug(GROUP)
        lead = find_user("lead@second.example")
        db.session.add(ReportSection(topic_group=group, kind=SectionKind.FOREWORD,
                                     body="We heard from **carers** across the county."))
        group.recommendations[0].quality_overrides.append(
            QualityOverride(item="measure", reason="The council will set the measure with carers.", by=lead))
        db.session.commit()


def test_members_comment_answer_and_the_chair_signs_off(app, browser, second_case):
    _add_text(app)
    # A member comments on the finding.
    _as(browser, "member@second.example")
    page = browser.get(DRAFT)
    assert page.status_code == 200
    check_page(page.text, DRAFT)
    text = _text(page)
    assert "Waits for assessments doubled in two years." in text
    assert "We heard from carers across the county." in text
    assert "The council will set the measure with carers." in text and "Priya Lead-Officer" in text
    form = _soup(page).select_one("form[action*='/draft/comments/finding/']")
    action = form["action"]
    field = form.select_one("textarea")["name"]
    page = browser.submit(action, {field: "Do we have figures for 2024?"}, form_page=DRAFT, follow=True)
    assert "Your comment is added." in page.text
    thread = _soup(page).select_one("[id^='comments-finding-']")
    assert "Do we have figures for 2024?" in thread.text and "Councillor Ann Member" in thread.text

    # The lead officer sends the draft; members answer.
    _as(browser, "lead@second.example")
    page = browser.submit(f"{DRAFT}/circulate", {"circulate-note": "Please answer by Friday."}, form_page=DRAFT,
                          follow=True)
    assert "Draft 1 is with the members for agreement." in page.text
    assert "Not answered yet" in page.text

    _as(browser, "member@second.example")
    page = browser.submit(f"{DRAFT}/answer", {"vote-draft": "1", "vote-decision": "disagree", "vote-reason": ""},
                          form_page=DRAFT)
    assert "Give your reason for disagreeing, so the group can consider it" in _errors(page)
    assert _soup(page).title.text.startswith("Error: ")
    page = browser.submit(f"{DRAFT}/answer", {"vote-draft": "1", "vote-decision": "disagree",
                                              "vote-reason": "The wait figures are out of date."},
                          form_page=DRAFT, follow=True)
    assert "Your answer to draft 1 is recorded: disagree." in page.text
    # Changing one's mind replaces the answer.
    page = browser.submit(f"{DRAFT}/answer", {"vote-draft": "1", "vote-decision": "agree", "vote-reason": ""},
                          form_page=DRAFT, follow=True)
    row = next(r for r in _soup(page).select("#answers tbody tr") if "Ann Member" in r.text)
    assert "Agree" in row.text and "out of date" not in row.text
    assert "Councillor Tom Chairperson (chair)" in _text(page) and "Not answered yet" in _text(page)

    # The chair answers and signs off; the text locks.
    _as(browser, "chair@second.example")
    browser.submit(f"{DRAFT}/answer", {"vote-draft": "1", "vote-decision": "abstain"}, form_page=DRAFT)
    page = browser.submit(f"{DRAFT}/sign-off", {"sign-off-draft": "1"}, form_page=DRAFT, follow=True)
    assert "Draft 1 is signed off." in page.text
    with app.app_context():
        group = get_group_by_slug(GROUP)
        assert agreement.is_locked(group)
        status = agreement.status_for(group)
        assert status["signed_off"] and status["signed_off_by"] == "Councillor Tom Chairperson"
        assert status["signed_for"] is None and status["signed_off_on"] is not None
    assert "1 agree, 0 disagree, 1 abstain, 0 not answered" in _text(page)
    # Comments stay open on a locked draft; the reopen form is where the editor's lock message points.
    assert _soup(page).select_one("#reopen form") is not None


def test_a_member_cannot_answer_without_a_circulated_draft_and_an_officer_cannot_answer(app, browser, second_case):
    _as(browser, "member@second.example")
    page = browser.submit(f"{DRAFT}/answer", {"vote-decision": "agree"}, form_page=DRAFT)
    assert "No draft is with the members, so you cannot answer it" in _errors(page)
    _as(browser, "lead@second.example")
    browser.submit(f"{DRAFT}/circulate", {}, form_page=DRAFT)
    page = browser.submit(f"{DRAFT}/answer", {"vote-draft": "1", "vote-decision": "agree"}, form_page=DRAFT)
    assert "Only the chair and members of the topic group answer the draft" in _errors(page)
    with app.app_context():
        assert not db.session.scalars(select(Draft)).one().votes  # nothing recorded


def test_officer_signs_off_for_the_chair_and_only_when_the_text_is_unchanged(app, browser, second_case):
    _as(browser, "lead@second.example")
    page = browser.submit(f"{DRAFT}/sign-off", {}, form_page=DRAFT)
    assert "No draft is with the members, so you cannot sign it off" in _errors(page)
    browser.submit(f"{DRAFT}/circulate", {}, form_page=DRAFT)
    _edit_finding(app, "Waits for assessments trebled in two years.")
    page = browser.get(DRAFT)
    assert "The text has changed since draft 1 was sent to members" in _text(page)
    page = browser.submit(f"{DRAFT}/sign-off", {"sign-off-draft": "1"}, form_page=DRAFT)
    assert any("The text has changed since draft 1 went to members" in e for e in _errors(page))
    # Recirculate: draft 2 replaces draft 1.
    page = browser.submit(f"{DRAFT}/circulate", {}, form_page=DRAFT, follow=True)
    assert "Draft 2 is with the members for agreement." in page.text
    # A sign-off form opened on draft 1 is refused.
    page = browser.submit(f"{DRAFT}/sign-off", {"sign-off-draft": "1"}, form_page=DRAFT)
    assert any("Draft 2 has replaced draft 1 since you opened the page" in e for e in _errors(page))
    page = browser.submit(f"{DRAFT}/sign-off", {"sign-off-draft": "2"}, form_page=DRAFT, follow=True)
    assert "Draft 2 is signed off on behalf of Councillor Tom Chairperson." in page.text
    with app.app_context():
        status = agreement.status_for(get_group_by_slug(GROUP))
        assert status["signed_off_by"] == "Priya Lead-Officer"
        assert status["signed_for"] == "Councillor Tom Chairperson"
        assert [(d.number, d.status) for d in agreement.drafts(get_group_by_slug(GROUP))] == [
            (2, "signed_off"), (1, "superseded")]
    # A member is not the chair: no sign-off for them.
    _as(browser, "member@second.example")
    with app.app_context():
        group = get_group_by_slug(GROUP)
        with pytest.raises(agreement.AgreementError, match="Only the chair"):
            agreement.sign_off(group, find_user("member@second.example"))


def test_reopen_needs_a_reason_and_the_next_draft_is_a_new_version(app, browser, second_case):
    _as(browser, "lead@second.example")
    browser.submit(f"{DRAFT}/circulate", {}, form_page=DRAFT)
    _as(browser, "chair@second.example")
    browser.submit(f"{DRAFT}/sign-off", {"sign-off-draft": "1"}, form_page=DRAFT)
    _as(browser, "member@second.example")
    page = browser.get(DRAFT)
    assert "the chair or a scrutiny officer can reopen it" in _text(page)
    assert _soup(page).select_one("#reopen form") is None
    page = browser.submit(f"{DRAFT}/reopen", {"reopen-reason": "I want to"}, form_page=DRAFT)
    assert "Only the chair or a scrutiny officer can reopen the signed-off draft" in _errors(page)

    _as(browser, "chair@second.example")
    page = browser.submit(f"{DRAFT}/reopen", {"reopen-reason": "  "}, form_page=DRAFT)
    assert "Give the reason for reopening the signed-off draft" in _errors(page)
    with app.app_context():
        assert agreement.is_locked(get_group_by_slug(GROUP))
    page = browser.submit(f"{DRAFT}/reopen", {"reopen-reason": "New waiting figures arrived."}, form_page=DRAFT,
                          follow=True)
    assert "Draft 1 is reopened" in page.text
    with app.app_context():
        group = get_group_by_slug(GROUP)
        assert not agreement.is_locked(group)
        first = agreement.draft_by_number(group, 1)
        assert first.signed_off_at and first.reopen_reason == "New waiting figures arrived."
        assert first.reopened_by.email == "chair@second.example"
        assert agreement.status_for(group)["label"] == "Draft 1: Signed off, then reopened"
    _edit_finding(app, "Waits for assessments trebled in two years, to 14 weeks.")
    _as(browser, "lead@second.example")
    page = browser.submit(f"{DRAFT}/circulate", {}, form_page=DRAFT, follow=True)
    assert "Draft 2 is with the members for agreement." in page.text

    page = browser.get(f"{DRAFT}/versions")
    text = _text(page)
    assert "Draft 2 Changes from draft 1 to draft 2 With members for agreement" in text
    assert "Signed off, then reopened" in text and "New waiting figures arrived." in text

    page = browser.get(f"{DRAFT}/compare?from=1&to=2")
    assert page.status_code == 200
    check_page(page.text, "compare")
    changed = _soup(page).select_one(".app-tracked")
    assert [d.get_text() for d in changed.select("del")] == ["[removed: doubled]"]
    assert [i.get_text() for i in changed.select("ins")] == ["[added: trebled]", "[added: , to 14 weeks]"]
    assert "Changes from draft 1 to draft 2" in _soup(page).h1.text


def test_nothing_to_send_and_nothing_changed_are_refused(app, browser, second_case):
    with app.app_context():
        group = get_group_by_slug(GROUP)
        group.findings.clear()
        group.recommendations.clear()
        group.report_sections.clear()
        db.session.commit()
    _as(browser, "lead@second.example")
    page = browser.submit(f"{DRAFT}/circulate", {}, form_page=DRAFT)
    assert any("There is nothing to send yet" in e for e in _errors(page))
    with app.app_context():
        group = get_group_by_slug(GROUP)
        group.findings.append(Finding(number=1, text="Carers wait too."))
        db.session.commit()
    browser.submit(f"{DRAFT}/circulate", {}, form_page=DRAFT)
    page = browser.client.post(f"{DRAFT}/circulate", data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', browser.get(DRAFT).text).group(1)})
    assert "Draft 1 is already with the members and the text has not changed since" in _text(page)


def test_a_get_changes_nothing_and_outsiders_are_refused(app, browser, second_case):
    _as(browser, "outsider@second.example")
    for url in (DRAFT, f"{DRAFT}/versions", f"{DRAFT}/compare"):
        assert browser.get(url).status_code == 403
    assert browser.submit(f"{DRAFT}/answer", {"vote-decision": "agree"}, form_page="/my-groups").status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Draft)).all() == []


def _grow(app, n):
    """n findings each resting on two pieces of evidence from different
    organisations, n recommendations with an override, a comment on each."""
    from scrutiny.evidence.models import Submission
    from scrutiny.findings import comments
    from scrutiny.findings.models import FindingEvidence, Recommendation
    from scrutiny.organisations.services import save_organisation

    with app.app_context():
        group = get_group_by_slug(GROUP)
        lead = find_user("lead@second.example")
        start = len(group.findings)
        for i in range(start + 1, start + n + 1):
            links = []
            for j in range(2):
                org = save_organisation(None, name=f"Org {i}-{j}", kind="voluntary_community")
                links.append(FindingEvidence(submission=Submission(
                    topic_group=group, organisation=org, title=f"Evidence {i}-{j}", status="accepted"),
                    note=f"page {j}", position=j))
            finding = Finding(number=i, title=f"Finding {i}", text=f"Narrative {i}.", themes=group.themes[:1],
                              evidence_links=links)
            group.findings.append(finding)
            rec = Recommendation(number=i, text=f"Do {i}.", addressees=[links[0].submission.organisation],
                                 findings=[finding])
            rec.quality_overrides.append(QualityOverride(item="timescale", reason="Later.", by=lead))
            group.recommendations.append(rec)
            db.session.flush()
            comments.add_comment(group, lead, "finding", finding.id, "A comment.")
            comments.add_comment(group, find_user("member@second.example"), "recommendation", rec.id, "Another.")
        agreement.circulate(group, lead) if not agreement.latest_draft(group) else None
        db.session.commit()


def test_the_draft_page_makes_the_same_number_of_queries_however_long_the_text(app, browser, second_case):
    from tests.queries import queries_for

    _as(browser, "lead@second.example")
    _grow(app, 2)
    small = queries_for(app, browser.client, DRAFT)
    _grow(app, 10)
    assert queries_for(app, browser.client, DRAFT) == small


def _check_refusal(browser, url, data):
    page = browser.submit(url, data, form_page=DRAFT)
    soup = _soup(page)
    links = soup.select(".govuk-error-summary a")
    assert links, url
    for link in links:
        assert soup.select_one(link["href"]) is not None, f"{url}: {link['href']} points at nothing"
    check_page(page.text, url)
    return [link.text.strip() for link in links]


def test_every_refusal_on_the_draft_page_links_to_where_it_happened(app, browser, second_case):
    _as(browser, "lead@second.example")
    assert _check_refusal(browser, f"{DRAFT}/sign-off", {}) == [
        "No draft is with the members, so you cannot sign it off"]
    assert _check_refusal(browser, f"{DRAFT}/circulate", {"circulate-note": "x" * 2001}) == [
        "The note must be 2000 characters or fewer"]
    browser.submit(f"{DRAFT}/circulate", {}, form_page=DRAFT)
    _as(browser, "chair@second.example")
    assert _check_refusal(browser, f"{DRAFT}/answer", {"vote-draft": "1"}) == [
        "Choose whether you agree, disagree or abstain"]
    assert _check_refusal(browser, f"{DRAFT}/answer", {"vote-draft": "1", "vote-decision": "disagree"}) == [
        "Give your reason for disagreeing, so the group can consider it"]
    browser.submit(f"{DRAFT}/sign-off", {"sign-off-draft": "1"}, form_page=DRAFT)
    assert _check_refusal(browser, f"{DRAFT}/reopen", {"reopen-reason": ""}) == [
        "Give the reason for reopening the signed-off draft"]


def test_a_kept_version_reads_as_it_went_to_members_and_compares_with_the_text_now(app, browser, second_case):
    _add_text(app)
    _as(browser, "lead@second.example")
    browser.submit(f"{DRAFT}/circulate", {"circulate-note": "First go."}, form_page=DRAFT)
    _edit_finding(app, "Waits for assessments fell by a week.")
    page = browser.get(f"{DRAFT}/versions/1")
    assert page.status_code == 200
    check_page(page.text, "version 1")
    text = _text(page)
    assert "Waits for assessments doubled in two years." in text and "fell by a week" not in text
    assert "We heard from carers across the county." in text
    assert "Quality check let through: has a measure of success The council will set the measure with carers." in text
    assert "First go." in text
    assert browser.get(f"{DRAFT}/versions/9").status_code == 404

    page = browser.get(f"{DRAFT}/compare?from=1&to=now")
    assert "Changes from draft 1 to the text now" in _soup(page).h1.text
    narrative = _soup(page).select_one(".app-tracked")
    assert [d.get_text() for d in narrative.select("del")] == ["[removed: doubled in two years]"]
    assert [i.get_text() for i in narrative.select("ins")] == ["[added: fell by a week]"]
    page = browser.get(f"{DRAFT}/compare?from=1&to=1")
    assert page.status_code == 400 and "Choose two different versions to compare" in _text(page)
    check_page(page.text, "compare error")


def test_each_member_is_emailed_the_draft_with_the_officers_note(app, browser, second_case, smtp, run_jobs):
    _add_text(app)
    _as(browser, "lead@second.example")
    browser.submit(f"{DRAFT}/circulate", {"circulate-note": "Please answer by Friday."}, form_page=DRAFT)
    run_jobs()
    with app.app_context():
        group = get_group_by_slug(GROUP)
        members = [(m.email, m.name) for m in group.councillors]
    assert len(members) >= 2 and len(smtp.messages) == len(members)
    for address, name in members:
        [message] = smtp.to(address)
        assert message["Subject"] == "Draft 1 of Adult Social Care Waiting Times: for your agreement"
        body = message.get_body(("plain",)).get_content()
        assert f"Dear {name}," in body and "sent by Priya Lead-Officer" in body
        assert "Please answer by Friday." in body
        assert f"/groups/{GROUP}/draft" in body
        assert "replaces draft" not in body
    # The officer is not a member and gets nothing.
    assert smtp.to("lead@second.example") == []

    # A second draft names the one it replaces.
    _edit_finding(app, "Waits for assessments trebled in two years.")
    browser.submit(f"{DRAFT}/circulate", {"circulate-note": ""}, form_page=DRAFT)
    run_jobs()
    second = [m for m in smtp.to(members[0][0]) if m["Subject"].startswith("Draft 2 ")]
    assert len(second) == 1
    body = second[0].get_body(("plain",)).get_content()
    assert "It replaces draft 1" in body and "A note from" not in body
