"""Recommendations: what should change, why, resting on which findings,
addressed to which organisations, with a quality check an officer may
override with a reason the chair will see."""
from __future__ import annotations

from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.findings.models import Finding, Recommendation
from scrutiny.organisations.services import find_by_name
from tests.test_findings_editing import GROUP, errors, soup, summary_text
from tests.test_pages_accessibility import check_page

RECS = f"/groups/{GROUP}/recommendations"
OFFICER = "lead@second.example"
ADULT_CARE = "Northshire Adult Social Care"
CARERS = "Carers in Northshire"


def ids(app):
    with app.app_context():
        return {"finding": db.session.scalar(select(Finding.id)),
                "adult": find_by_name(ADULT_CARE).id, "carers": find_by_name(CARERS).id,
                "rec": db.session.scalar(select(Recommendation.id))}


def recs(app):
    with app.app_context():
        return [(r.number, r.text, [o.name for o in r.addressees], [f.number for f in r.findings])
                for r in db.session.scalars(select(Recommendation).order_by(Recommendation.number))]


FULL = {"text": "Tell every carer whom to call while they wait.", "explanation": "Carers do not know.",
        "addressed_to": "Adult social care", "measure": "Every letter names a contact.",
        "timescale": "Within 6 months"}


def test_officer_adds_a_recommendation_resting_on_findings_for_named_organisations(app, browser, second_case):
    known = ids(app)
    browser.sign_in(OFFICER)
    page = browser.get(f"{RECS}/new")
    check_page(page.text, f"{RECS}/new")
    page = browser.submit(f"{RECS}/new", {**FULL, "finding_ids": [str(known["finding"])],
                                          "addressee_ids": [str(known["adult"]), str(known["carers"])]})
    assert page.status_code == 302, errors(page)
    assert recs(app)[1] == (2, FULL["text"], [CARERS, ADULT_CARE], [1])
    page = browser.get(RECS)
    check_page(page.text, RECS)
    section = soup(page).select("section")[-1]
    text = " ".join(section.get_text(" ").split())
    assert "Addressed to Carers in Northshire, Northshire Adult Social Care (Adult social care)" in text
    assert "Finding 1" in text and "Within 6 months" in text
    assert text.count("Done") == 4 and "Warning" not in text


def test_a_recommendation_with_no_addressee_is_refused_and_keeps_everything_typed(app, browser, second_case):
    known = ids(app)
    browser.sign_in(OFFICER)
    page = browser.submit(f"{RECS}/new", {**FULL, "finding_ids": [str(known["finding"])]})
    assert page.status_code == 200
    assert errors(page) == {"#addressee_ids": "Choose at least one organisation the recommendation is "
                                              "addressed to"}
    assert soup(page).select_one("#addressee_ids") is not None  # the summary's link lands
    assert soup(page).select_one("#text").text.strip() == FULL["text"]
    assert soup(page).select_one("#measure").text.strip() == FULL["measure"]
    assert soup(page).select_one("#timescale")["value"] == FULL["timescale"]
    assert soup(page).select_one(f"input[name=finding_ids][value='{known['finding']}']").has_attr("checked")
    assert len(recs(app)) == 1


def test_an_unknown_organisation_is_named_in_the_error(app, browser, second_case):
    browser.sign_in(OFFICER)
    page = browser.submit(f"{RECS}/new", {**FULL, "addressee_ids": ["99999"]})
    assert "There is no organisation with the number 99999" in errors(page)["#addressee_ids"]
    assert len(recs(app)) == 1


def test_adding_a_missing_organisation_keeps_the_form_and_ticks_it(app, browser, second_case):
    known = ids(app)
    browser.sign_in(OFFICER)
    page = browser.submit(f"{RECS}/new", {**FULL, "addressee_ids": [str(known["adult"])],
                                          "new_organisation_name": "Northshire Carers' Centre",
                                          "new_organisation_kind": "voluntary_community",
                                          "add_organisation": "Add organisation"})
    assert page.status_code == 200, errors(page)
    assert "Added Northshire Carers’ Centre".replace("’", "'") in page.text.replace("&#39;", "'")
    with app.app_context():
        new_id = find_by_name("Northshire Carers' Centre").id
    ticked = {int(i["value"]) for i in soup(page).select("input[name=addressee_ids][checked]")}
    assert ticked == {known["adult"], new_id}
    assert soup(page).select_one("#text").text.strip() == FULL["text"]
    assert len(recs(app)) == 1  # the recommendation is not saved until the officer saves it

    # A kind left out is a field error; the typed name stays.
    page = browser.submit(f"{RECS}/new", {**FULL, "new_organisation_name": "Another body",
                                          "add_organisation": "Add organisation"})
    assert errors(page) == {"#new_organisation_kind": "Choose what kind of organisation this is"}
    assert soup(page).select_one("#new_organisation_name")["value"] == "Another body"


def test_quality_warnings_and_an_override_with_its_reason(app, browser, second_case):
    from scrutiny.findings.services import quality

    known = ids(app)
    browser.sign_in(OFFICER)
    page = browser.submit(f"{RECS}/new", {"text": "Do better.", "addressee_ids": [str(known["adult"])]})
    assert page.status_code == 302
    with app.app_context():
        rec_id = db.session.scalar(select(Recommendation.id).where(Recommendation.text == "Do better."))
    edit = f"{RECS}/{rec_id}/edit"
    page = browser.get(edit)
    check_page(page.text, edit)
    warnings = [" ".join(w.get_text(" ").split()) for w in soup(page).select("#quality .govuk-warning-text__text")]
    assert warnings == ["Warning Says what should change: not yet", "Warning Has a measure of success: not yet",
                        "Warning Has a timescale: not yet"]

    page = browser.submit(f"{RECS}/{rec_id}/quality/measure", {"measure-reason": ""}, form_page=edit)
    assert errors(page) == {"#measure-reason": "Enter why this recommendation may go without: has a measure "
                                               "of success"}
    # The recommendation's own fields are shown as saved, not blanked by the other form's POST.
    assert soup(page).select_one(f"input[name=addressee_ids][value='{known['adult']}']").has_attr("checked")
    assert soup(page).select_one("#text").text.strip() == "Do better."
    page = browser.submit(f"{RECS}/{rec_id}/quality/measure",
                          {"measure-reason": "The follow-up panel will set the measure."}, form_page=edit)
    assert page.status_code == 302
    page = browser.get(edit)
    quality_box = " ".join(soup(page).select_one("#quality").text.split())
    assert "Let through Has a measure of success: not met. Reason: The follow-up panel will set the measure. " \
           "(Priya Lead-Officer," in quality_box
    with app.app_context():
        checks = {c["item"]: c for c in quality(db.session.get(Recommendation, rec_id))}
    assert checks["addressee"]["ok"] and not checks["change"]["ok"] and checks["change"]["override_reason"] is None
    assert checks["measure"]["override_reason"] == "The follow-up panel will set the measure."
    assert checks["measure"]["override_by"] == "Priya Lead-Officer" and checks["measure"]["override_at"]

    # Once the measure is written, the item simply passes.
    page = browser.submit(edit, {**FULL, "addressee_ids": [str(known["adult"])], "version": "1"})
    assert page.status_code == 302, summary_text(page)
    with app.app_context():
        assert all(c["ok"] for c in quality(db.session.get(Recommendation, rec_id)))


def test_recommendations_reorder_and_delete(app, browser, second_case):
    known = ids(app)
    browser.sign_in(OFFICER)
    browser.submit(f"{RECS}/new", {**FULL, "addressee_ids": [str(known["carers"])]})
    with app.app_context():
        second = db.session.scalar(select(Recommendation.id).where(Recommendation.number == 2))
    browser.submit(f"{RECS}/{second}/move", {"direction": "up"}, form_page=RECS)
    assert [r[1] for r in recs(app)] == [FULL["text"], "Publish waiting times for assessments every month."]
    browser.submit(f"{RECS}/{known['rec']}/delete", {})
    assert recs(app) == [(1, FULL["text"], [CARERS], [])]


def test_a_colleagues_save_is_not_overwritten(app, browser, make_user, second_case):
    from tests.conftest import Browser, csrf_token

    known = ids(app)
    edit = f"{RECS}/{known['rec']}/edit"
    browser.sign_in(OFFICER)
    mine = browser.get(edit)
    other = Browser(app.test_client())
    other.sign_in(make_user("officer", name="Sam Colleague"))
    assert other.submit(edit, {**FULL, "addressee_ids": [str(known["carers"])], "version": "1"}).status_code == 302
    page = browser.client.post(edit, data={"csrf_token": csrf_token(mine.text), "version": "1",
                                           "text": "My wording.", "addressee_ids": [str(known["adult"])]})
    assert page.status_code == 409
    assert "Sam Colleague changed this at" in summary_text(page)
    assert soup(page).select_one("#text").text.strip() == "My wording."
    assert FULL["text"] in soup(page).select_one(".govuk-inset-text").text
