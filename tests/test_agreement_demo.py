"""The demo shows an agreed draft after `make run`."""
from datetime import date

from scrutiny.findings import agreement
from scrutiny.groups.services import get_group_by_slug


def test_demo_draft_is_answered_and_signed_off_by_the_chair_in_july_2021(app, browser, demo_case):
    with app.app_context():
        group = get_group_by_slug(demo_case)
        status = agreement.status_for(group)
        assert status["number"] == 1 and status["signed_off"]
        assert status["signed_off_by"] == "Councillor Judi Billing MBE" and status["signed_for"] is None
        assert status["signed_off_on"] == date(2021, 7, 20)
        assert agreement.is_locked(group)
        assert agreement.tally(agreement.latest_draft(group)) == {"agree": 4, "disagree": 0, "abstain": 1}
    browser.sign_in("councillor@example.org", "scrutiny-demo")
    page = browser.get(f"/groups/{demo_case}/draft")
    assert page.status_code == 200
    assert "Draft 1 is signed off." in page.text
    assert "I joined the group after the evidence sessions." in page.text
    assert "20 July 2021 by Councillor Judi Billing MBE" in page.text
