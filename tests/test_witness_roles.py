"""A witness's role (job title), typed on the invitation or imported with it,
names them in the final report: "Jo Carer, Carers' Champion, Carers in
Northshire"."""
from datetime import date, timedelta
from io import BytesIO

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.documents.report import report_context
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.invitations.models import Invitation
from scrutiny.organisations.services import find_by_name
from tests.conftest import Browser, csrf_token
from tests.test_invitations_journey import GROUP


def _officer(app):
    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    return officer


def _form(app, role):
    with app.app_context():
        org_id = find_by_name("Carers in Northshire").id
    deadline = date.today() + timedelta(days=14)
    return {"organisation_id": org_id, "contact_name": "Jo Carer", "contact_role": role,
            "contact_email": "jo@carers.example", "questions": "How long do carers wait?",
            "deadline": [str(deadline.day), str(deadline.month), str(deadline.year)]}


def test_the_role_typed_on_the_invitation_names_the_witness_in_the_report(app, second_case):
    officer = _officer(app)
    form = BeautifulSoup(officer.get(f"/groups/{GROUP}/invitations/new").text, "html.parser")
    assert form.find("label", attrs={"for": "contact_role"}).get_text(strip=True) == "Role (optional)"
    officer.submit(f"/groups/{GROUP}/invitations/new", _form(app, "  Carers’ Champion "))
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.contact_role == "Carers’ Champion"
        invitation.status = "accepted"  # the witness agreed to give evidence
        db.session.commit()
        public_id = invitation.public_id
        ctx = report_context(get_group_by_slug(second_case), version=1, built_on=date(2026, 11, 25))
    assert [(w["name"], w["role"], w["organisation"]) for w in ctx["witnesses"]] == [
        ("Jo Carer", "Carers’ Champion", "Carers in Northshire")]
    page = officer.get(f"/groups/{GROUP}/invitations/{public_id}").text
    assert "Jo Carer (Carers’ Champion)" in page


def test_a_role_too_long_is_a_field_error_and_the_typed_text_stays(app, second_case):
    officer = _officer(app)
    page = officer.submit(f"/groups/{GROUP}/invitations/new", _form(app, "Head of " + "x" * 200))
    soup = BeautifulSoup(page.text, "html.parser")
    errors = {a["href"]: a.text for a in soup.select(".govuk-error-summary a")}
    assert errors == {"#contact_role": "Enter a role of 200 characters or fewer"}
    assert soup.select_one("#contact_role")["value"].startswith("Head of xxx")
    assert soup.select_one("#contact_name")["value"] == "Jo Carer"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_csv_import_takes_an_optional_fourth_column_for_the_role(app, second_case):
    officer = _officer(app)
    csv_text = ("organisation,name,email,role\n"
                "Carers in Northshire,Jo Carer,jo@carers.example,Carers’ Champion\n"
                "Northshire Adult Social Care,Cal Care,cal@asc.example\n"
                "Northshire Adult Social Care,Di,di@asc.example,Manager,extra\n")
    form = officer.get(f"/groups/{GROUP}/invitations/import")
    deadline = date.today() + timedelta(days=14)
    page = officer.client.post(f"/groups/{GROUP}/invitations/import", data={
        "csrf_token": csrf_token(form.text), "questions": "Q",
        "deadline": [str(deadline.day), str(deadline.month), str(deadline.year)],
        "csv_file": (BytesIO(csv_text.encode()), "contacts.csv")}, content_type="multipart/form-data")
    soup = BeautifulSoup(page.text, "html.parser")
    assert "2 invited, 1 row rejected" in soup.text
    assert "“extra” is not a kind of organisation" in soup.select_one("tbody tr").text  # a fifth column is the kind
    with app.app_context():
        roles = dict(db.session.execute(select(Invitation.contact_name, Invitation.contact_role)).all())
    assert roles == {"Jo Carer": "Carers’ Champion", "Cal Care": ""}
