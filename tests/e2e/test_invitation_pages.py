"""The invitation pages of issue 8 in Chromium, at a phone's width and a desktop's:
the bulk page with no addresses to send to, the CSV import's new organisations,
and inviting again an organisation that declined."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.test_journeys import LAYOUT
from tests.test_invitations import _decline
from tests.test_invitations_journey import GROUP

NEW_ORGS_CSV = ("organisation,name,email,role,kind\n"
                "Carers in Northshire,Jo Carer,jo@carers.example\n"
                "Northshire Carers Forum,Bo Brown,bo@forum.example,Chair,Voluntary or community group\n"
                "Nobody Ltd,Ann Other,not-an-email\n"
                "Riverside Patients Group,Cy Green,cy@riverside.example\n")


def _look(page, screenshot_dir, name, width):
    page.evaluate("document.fonts.ready")
    layout = page.evaluate(LAYOUT)
    page.screenshot(path=str(screenshot_dir / f"{name}-{width}.png"), full_page=True)
    assert layout["scrollWidth"] <= width, f"{name} scrolls sideways: {layout['wide']}"
    assert len(layout["h1s"]) == 1, layout["h1s"]


def _fill_deadline(page):
    deadline = date.today() + timedelta(days=14)
    page.get_by_label("Day").fill(str(deadline.day))
    page.get_by_label("Month").fill(str(deadline.month))
    page.get_by_label("Year").fill(str(deadline.year))


@pytest.mark.parametrize("width", [375, 1280])
def test_invitation_pages_for_issue_8(app, page, second_case, sign_in, screenshot_dir, width):
    from tests.factories import make_invitation

    page.set_viewport_size({"width": width, "height": 800})
    sign_in("lead@second.example")

    page.goto(f"/groups/{GROUP}/invitations/bulk")
    expect(page.locator("main")).to_contain_text("None of the organisations has an email address yet")
    _look(page, screenshot_dir, "invite-bulk-no-emails", width)

    page.goto(f"/groups/{GROUP}/invitations/import")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "contacts.csv", "mimeType": "text/csv", "buffer": NEW_ORGS_CSV.encode()}])
    _fill_deadline(page)
    page.get_by_role("button", name="Import and invite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add 2 new organisations?")
    _look(page, screenshot_dir, "invite-csv-new-organisations", width)
    page.get_by_role("button", name="Create these 2 organisations and import").click()
    expect(page.locator("main")).to_contain_text("3 invited, 1 row rejected")

    _decline(app, make_invitation(app, GROUP, "Northshire Adult Social Care", email="ann@asc.example"),
             "Our team is at full stretch until the spring", date(2026, 3, 2))
    page.goto(f"/groups/{GROUP}/invitations/new")
    page.get_by_label("Organisation").select_option(label="Northshire Adult Social Care")
    page.get_by_label("Contact name").fill("Dev Patel")
    page.get_by_label("Contact email address").fill("dev@asc.example")
    _fill_deadline(page)
    page.get_by_role("button", name="Save invitation").click()
    expect(page.locator("#invited-before")).to_contain_text("declined on 2 March 2026")
    _look(page, screenshot_dir, "invite-again", width)
    page.get_by_label("Yes, invite them again").check()
    page.get_by_role("button", name="Save invitation").click()
    expect(page.locator("main")).to_contain_text("1 invitation saved as a draft")

    with app.app_context():
        from scrutiny.organisations.services import find_by_name, save_organisation

        carers = find_by_name("Carers in Northshire")
        save_organisation(carers, name=carers.name, kind=carers.kind, email="hello@carers.example")
    page.goto(f"/groups/{GROUP}/invitations/bulk")
    expect(page.locator("#without-email")).to_contain_text("Northshire Adult Social Care")
    page.get_by_label("Carers in Northshire (hello@carers.example)").check()
    _fill_deadline(page)
    page.get_by_role("button", name="Invite these organisations").click()
    expect(page.locator("#invited-before")).to_contain_text("Carers in Northshire was already invited on")
    _look(page, screenshot_dir, "invite-bulk-again", width)
    page.get_by_label("Yes, invite them again").check()
    page.get_by_role("button", name="Invite these organisations").click()
    expect(page.locator("main")).to_contain_text("1 invitation saved as a draft")
