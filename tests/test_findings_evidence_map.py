"""The evidence map: evidence × findings × recommendations, and what stops
the report being built, with links to fix it."""
from __future__ import annotations

from sqlalchemy import select

from scrutiny.evidence.models import Submission
from scrutiny.extensions import db
from scrutiny.findings.models import Finding, FindingEvidence, Recommendation
from scrutiny.groups.services import get_group_by_slug
from tests.queries import queries_for
from tests.test_findings_editing import GROUP, evidence, soup
from tests.test_pages_accessibility import check_page

MAP = f"/groups/{GROUP}/evidence-map"


def link(app, finding_number, submission_id, note=""):
    with app.app_context():
        finding = db.session.scalar(select(Finding).where(Finding.number == finding_number))
        finding.evidence_links.append(FindingEvidence(submission_id=submission_id, note=note))
        db.session.commit()


def test_the_map_shows_which_evidence_carries_which_finding_and_recommendation(app, browser, second_case):
    survey = evidence(app, "Carers' survey")
    evidence(app, "Unused figures")
    secret = evidence(app, "Case reviews", confidential=True)
    link(app, 1, survey, "page 4")
    link(app, 1, secret)
    with app.app_context():
        group = get_group_by_slug(GROUP)
        group.findings.append(Finding(number=2, title="Home care starts late", text="Weeks late."))
        group.recommendations.append(Recommendation(number=2, text="Start home care within a week."))
        db.session.commit()

    browser.sign_in("member@second.example")  # councillors of the group may read it
    page = browser.get(MAP)
    assert page.status_code == 200
    check_page(page.text, MAP)
    rows = {r.th.a.text: " ".join(r.get_text(" ").split()) for r in soup(page).select("table tbody tr")}
    assert set(rows) == {"Carers' survey", "Unused figures", "Case reviews"}
    assert "Finding 1 (page 4) Recommendation 1" in rows["Carers' survey"]  # the number, named for screen readers
    assert "Confidential" in rows["Case reviews"] and "Finding 1" in rows["Case reviews"]
    assert "Not used" in rows["Unused figures"]

    blockers = " ".join(soup(page).select_one(".govuk-error-summary").get_text(" ").split())
    assert "The report cannot be built yet" in blockers
    assert "Finding 2 (Home care starts late) cites no evidence" in blockers
    assert "Recommendation 2 is not addressed to any organisation" in blockers
    text = " ".join(soup(page).get_text(" ").split())
    assert "Recommendations with no finding Recommendation 2" in text
    assert "Evidence not used by any finding Unused figures" in text

    # Officers get links straight to the forms that fix each problem.
    browser.sign_out()
    browser.sign_in("lead@second.example")
    page = browser.get(MAP)
    with app.app_context():
        finding2 = db.session.scalar(select(Finding.id).where(Finding.number == 2))
        rec2 = db.session.scalar(select(Recommendation.id).where(Recommendation.number == 2))
    hrefs = [a["href"] for a in soup(page).select(".govuk-error-summary a")]
    assert hrefs == [f"/groups/{GROUP}/findings/{finding2}/edit#evidence", f"/groups/{GROUP}/recommendations/{rec2}/edit"]


def test_an_outsider_cannot_see_the_map(browser, second_case):
    browser.sign_in("outsider@second.example")
    assert browser.get(MAP).status_code == 403


def test_a_link_to_withdrawn_evidence_is_flagged(app, browser, second_case):
    survey = evidence(app, "Carers' survey")
    link(app, 1, survey)
    with app.app_context():
        db.session.get(Submission, survey).status = "set_aside"
        db.session.commit()
    browser.sign_in("lead@second.example")
    text = " ".join(soup(browser.get(MAP)).get_text(" ").split())
    assert "Finding 1 cites “Carers' survey”, which is set aside, not accepted" in text


def _grow(app, items: int, findings: int):
    """`items` accepted pieces of evidence and `findings` findings citing three each, with recommendations."""
    from scrutiny.organisations.services import find_by_name

    with app.app_context():
        group = get_group_by_slug(GROUP)
        org = find_by_name("Carers in Northshire")
        start = len(group.findings)
        subs = [Submission(topic_group=group, organisation=org, title=f"Item {n}", status="accepted",
                           confidential=n % 7 == 0) for n in range(items)]
        db.session.add_all(subs)
        db.session.flush()
        for n in range(findings):
            finding = Finding(topic_group=group, number=start + n + 1, title=f"F{n}", text="Text")
            finding.evidence_links = [FindingEvidence(submission=subs[(3 * n + k) % items], position=k)
                                      for k in range(3)]
            db.session.add(finding)
            db.session.add(Recommendation(topic_group=group, number=start + n + 1, text=f"R{n}",
                                          findings=[finding], addressees=[org]))
        db.session.commit()


def test_the_map_costs_the_same_queries_however_much_evidence(app, browser, second_case):
    browser.sign_in("lead@second.example")
    _grow(app, 4, 2)
    small = queries_for(app, browser.client, MAP)
    _grow(app, 600, 40)  # over selectin's 500-key batches
    large = queries_for(app, browser.client, MAP)
    assert large == small, (small, large)
    assert "Item 599" in browser.get(MAP).text
