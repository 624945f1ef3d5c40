from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.extensions import db
from scrutiny.invitations.models import Invitation
from scrutiny.outbox.models import Email
from scrutiny.organisations.services import find_by_name, save_organisation
from tests.conftest import Browser
from tests.test_invitations_journey import GROUP, invite, link_in, path_of


def _officer(app):
    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    return officer


def _invitation(app, email):
    with app.app_context():
        return db.session.scalar(select(Invitation).where(Invitation.contact_email == email))


def _deadline(days=14):
    d = date.today() + timedelta(days=days)
    return [str(d.day), str(d.month), str(d.year)]


def test_the_form_is_filled_in_with_the_groups_lines_of_enquiry(app, second_case):
    page = _officer(app).get(f"/groups/{GROUP}/invitations/new").text
    soup = BeautifulSoup(page, "html.parser")
    assert soup.select_one("#questions").text.strip() == (
        "How long do residents wait for a care assessment?\nWhat do carers need while they wait?")


def test_a_draft_is_not_sent_until_the_officer_sends_it(app, second_case, smtp, run_jobs):
    officer = _officer(app)
    invite(officer, app, send=False)
    run_jobs()
    assert smtp.messages == []
    invitation = _invitation(app, "jo@carers.example")
    assert invitation.status == "draft"
    officer.submit(f"/groups/{GROUP}/invitations/{invitation.public_id}/send", {},
                   form_page=f"/groups/{GROUP}/invitations/{invitation.public_id}")
    run_jobs()
    assert len(smtp.to("jo@carers.example")) == 1
    assert _invitation(app, "jo@carers.example").status == "sent"


def test_form_errors_name_the_field_and_save_nothing(app, second_case):
    officer = _officer(app)
    page = officer.submit(f"/groups/{GROUP}/invitations/new", {
        "organisation_id": 0, "contact_name": "", "contact_email": "not-an-address", "questions": "Q",
        "deadline": ["1", "1", "2020"]})
    soup = BeautifulSoup(page.text, "html.parser")
    errors = {a["href"]: a.text for a in soup.select(".govuk-error-summary a")}
    assert errors["#contact_name"] == "Enter the contact’s name"
    assert "#organisation_id" in errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    with app.app_context():
        org_id = find_by_name("Carers in Northshire").id
    page = officer.submit(f"/groups/{GROUP}/invitations/new", {
        "organisation_id": org_id, "contact_name": "Jo", "contact_email": "not-an-address", "questions": "Q",
        "deadline": ["1", "1", "2020"]})
    assert "The deadline must be today or in the future" in page.text
    page = officer.submit(f"/groups/{GROUP}/invitations/new", {
        "organisation_id": org_id, "contact_name": "Jo", "contact_email": "not-an-address", "questions": "Q",
        "deadline": _deadline()})
    assert "“not-an-address” is not an email address" in page.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_failing_mail_server_is_retried_and_nothing_is_marked_sent_that_was_not(app, second_case, smtp, run_jobs):
    smtp.refuse = 10  # more refusals than retries
    invite(_officer(app), app)
    run_jobs()
    invitation = _invitation(app, "jo@carers.example")
    assert invitation.status == "draft"
    with app.app_context():
        email = db.session.scalar(select(Email))
        assert email.status == "failed"
        assert email.attempts == 1 + len(app.config["MAIL_RETRY_INTERVALS"])
        assert "451" in email.last_error
        assert email.sent_at is None
        # The links made for the failed attempts were never delivered, so none works.
        assert db.session.get(Invitation, invitation.id).portal_tokens == []
    page = _officer(app).get(f"/groups/{GROUP}/invitations/{invitation.public_id}").text
    assert "Not sent" in page and "451" in page


def test_a_send_that_fails_once_then_succeeds_is_marked_sent(app, second_case, smtp, run_jobs):
    smtp.refuse = 1
    invite(_officer(app), app)
    run_jobs()
    assert len(smtp.to("jo@carers.example")) == 1
    with app.app_context():
        email = db.session.scalar(select(Email))
        assert (email.status, email.attempts) == ("sent", 2)
    assert _invitation(app, "jo@carers.example").status == "sent"


def test_bulk_invite_uses_each_organisations_address(app, second_case, smtp, run_jobs):
    with app.app_context():
        carers = find_by_name("Carers in Northshire")
        save_organisation(carers, name=carers.name, kind=carers.kind, email="hello@carers.example")
        adult = find_by_name("Northshire Adult Social Care")
        save_organisation(adult, name=adult.name, kind=adult.kind, email="asc@northshire.example")
        ids = [carers.id, adult.id]
    page = _officer(app).submit(f"/groups/{GROUP}/invitations/bulk", {
        "organisation_ids": ids, "questions": "Q1", "deadline": _deadline(), "send_now": "y"}, follow=True)
    assert "2 invitations being sent" in page.text
    run_jobs()
    assert {m["To"] for m in smtp.messages} == {"Carers in Northshire <hello@carers.example>",
                                                 "Northshire Adult Social Care <asc@northshire.example>"}


def test_csv_import_reports_each_rejected_row_and_invites_the_rest(app, second_case, smtp, run_jobs):
    from io import BytesIO

    from tests.conftest import csrf_token

    officer = _officer(app)
    csv_text = ("organisation,name,email\n"
                "Carers in Northshire,Jo Carer,jo@carers.example\n"
                ",Ann,ann@nobody.example\n"
                "Northshire Adult Social Care,Bea,not-an-email\n"
                "Carers in Northshire,Jo Again,jo@carers.example\n"
                "too,few\n"
                "Northshire Adult Social Care,Cal Care,cal@asc.example\n")
    form = officer.get(f"/groups/{GROUP}/invitations/import")
    page = officer.client.post(f"/groups/{GROUP}/invitations/import", data={
        "csrf_token": csrf_token(form.text), "questions": "Q", "deadline": _deadline(), "send_now": "y",
        "csv_file": (BytesIO(csv_text.encode()), "contacts.csv")}, content_type="multipart/form-data")
    soup = BeautifulSoup(page.text, "html.parser")
    assert "2 invited, 4 rows rejected" in soup.text
    rows = [[td.text for td in tr.select("td")] for tr in soup.select("tbody tr")]
    assert [r[0] for r in rows] == ["3", "4", "5", "6"]
    assert "the organisation is missing" in rows[0][2]
    assert "is not an email address" in rows[1][2]
    assert "already invited" in rows[2][2]
    assert "has 2 columns" in rows[3][2]
    run_jobs()
    assert sorted(m["To"] for m in smtp.messages) == ["Cal Care <cal@asc.example>", "Jo Carer <jo@carers.example>"]


def test_invitations_list_filters_and_counts_by_status(app, second_case):
    from tests.factories import make_invitation

    make_invitation(app, GROUP, "Carers in Northshire", email="a@x.example", status="declined")
    make_invitation(app, GROUP, "Carers in Northshire", email="b@x.example", status="sent",
                    deadline=date.today() - timedelta(days=1))
    make_invitation(app, GROUP, "Northshire Adult Social Care", email="c@x.example", status="accepted")
    officer = _officer(app)
    page = officer.get(f"/groups/{GROUP}/invitations").text
    for label in ("All (3)", "Declined (1)", "Overdue (1)", "Accepted (1)", "Sent (0)"):
        assert label in page
    overdue = BeautifulSoup(officer.get(f"/groups/{GROUP}/invitations?status=overdue").text, "html.parser")
    assert [td.text.strip() for td in overdue.select("tbody tr td:nth-of-type(2)")][0].endswith("b@x.example")
    assert len(overdue.select("tbody tr")) == 1


def test_sending_schedules_a_reminder_and_an_overdue_notice(app, second_case, smtp, run_jobs):
    from rq.job import Job

    from scrutiny.jobs import queue, redis_connection

    invite(_officer(app), app)
    run_jobs()
    with app.app_context():
        registry = queue().scheduled_job_registry
        jobs = [Job.fetch(i, connection=redis_connection()) for i in registry.get_job_ids()]
        kinds = sorted(j.args[1] for j in jobs if j.func_name.endswith("automatic_reminder"))
        assert kinds == ["overdue", "reminder"]
        times = {j.args[1]: registry.get_scheduled_time(j) for j in jobs}
    deadline = date.today() + timedelta(days=14)
    assert times["reminder"].date() == deadline - timedelta(days=app.config["REMINDER_DAYS_BEFORE"])
    assert times["overdue"].date() == deadline + timedelta(days=1)


def _run_reminder(app, run_jobs, invitation_id, kind):
    from scrutiny import jobs

    with app.app_context():
        jobs.enqueue("scrutiny.invitations.jobs.automatic_reminder", invitation_id, kind)
    run_jobs()


def test_reminders_go_only_to_those_still_owing_evidence_and_once_per_deadline(app, second_case, smtp, run_jobs):
    from tests.factories import make_invitation

    soon = date.today() + timedelta(days=2)
    past = date.today() - timedelta(days=1)
    for email, status, deadline in (("owing@x.example", "sent", soon), ("done@x.example", "evidence_submitted", soon),
                                    ("no@x.example", "declined", soon), ("gone@x.example", "withdrawn", soon),
                                    ("late@x.example", "accepted", past)):
        make_invitation(app, GROUP, "Carers in Northshire", email=email, status=status, deadline=deadline)
    for email in ("owing@x.example", "done@x.example", "no@x.example", "gone@x.example"):
        _run_reminder(app, run_jobs, _invitation(app, email).id, "reminder")
        _run_reminder(app, run_jobs, _invitation(app, email).id, "reminder")  # a second run sends nothing
    _run_reminder(app, run_jobs, _invitation(app, "late@x.example").id, "overdue")
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.messages) == ["late@x.example", "owing@x.example"]
    assert smtp.to("late@x.example")[0]["Subject"].strip().startswith("Your evidence for")
    assert smtp.to("owing@x.example")[0]["Subject"].strip().startswith("Reminder:")


def test_an_early_reminder_waits_for_its_day(app, second_case, smtp, run_jobs):
    from tests.factories import make_invitation

    make_invitation(app, GROUP, "Carers in Northshire", email="later@x.example",
                    deadline=date.today() + timedelta(days=30))
    _run_reminder(app, run_jobs, _invitation(app, "later@x.example").id, "reminder")
    assert smtp.messages == []
    with app.app_context():
        from scrutiny.jobs import queue

        assert len(queue().scheduled_job_registry.get_job_ids()) == 1


def test_officer_sends_a_reminder_by_hand(app, second_case, smtp, run_jobs):
    from tests.factories import make_invitation

    public_id = make_invitation(app, GROUP, "Carers in Northshire", email="hand@x.example")
    officer = _officer(app)
    page = officer.submit(f"/groups/{GROUP}/invitations/{public_id}/remind", {},
                          form_page=f"/groups/{GROUP}/invitations/{public_id}", follow=True)
    assert "A reminder is being sent" in page.text
    run_jobs()
    [message] = smtp.to("hand@x.example")
    assert "/portal/start/" in link_in(message)
    page = officer.get(f"/groups/{GROUP}/invitations/{public_id}").text
    assert "Reminder: your evidence for Adult Social Care Waiting Times" in page
    assert "[personal link]" not in page  # the body is kept, but not shown in the list


def test_emails_kept_for_officers_hold_no_live_link(app, second_case, smtp, run_jobs):
    invite(_officer(app), app)
    run_jobs()
    url = link_in(smtp.messages[0])
    token = path_of(url).rsplit("/", 1)[1]
    with app.app_context():
        email = db.session.scalar(select(Email))
        assert token not in email.body_text and "[personal link]" in email.body_text
        from scrutiny.invitations.models import PortalToken

        assert token not in {t.token_hash for t in db.session.scalars(select(PortalToken))}


def test_councillors_cannot_see_invitations(app, second_case):
    member = Browser(app.test_client())
    member.sign_in("member@second.example")
    assert member.get(f"/groups/{GROUP}/invitations").status_code == 403
    assert member.get(f"/groups/{GROUP}/invitations/new").status_code == 403




# ---- issue 8: bulk invitations with no addresses, new organisations from a CSV, re-inviting, valid selects ----

def _set_email(app, name, email):
    with app.app_context():
        org = find_by_name(name)
        save_organisation(org, name=org.name, kind=org.kind, email=email)
        return org.id


def _org_ids(app, *names):
    with app.app_context():
        return [find_by_name(n).id for n in names]


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_bulk_page_says_plainly_when_no_organisation_has_an_email_address(app, second_case):
    adult, carers = _org_ids(app, "Northshire Adult Social Care", "Carers in Northshire")
    soup = BeautifulSoup(_officer(app).get(f"/groups/{GROUP}/invitations/bulk").text, "html.parser")
    text = " ".join(soup.select_one("main").text.split())
    assert ("None of the organisations has an email address yet, so there is nobody to invite in one go"
            in text)
    links = {a["href"] for a in soup.select("main a")}
    assert {f"/organisations/{adult}/edit", f"/organisations/{carers}/edit", "/organisations/"} <= links
    assert f"/groups/{GROUP}/invitations/new" in links  # the other way: invite a named contact
    # No form to fill in that could only end in "Choose at least one organisation".
    assert soup.select("main form") == []


def test_bulk_page_names_the_organisations_it_cannot_include(app, second_case):
    carers = _set_email(app, "Carers in Northshire", "hello@carers.example")
    [adult] = _org_ids(app, "Northshire Adult Social Care")
    soup = BeautifulSoup(_officer(app).get(f"/groups/{GROUP}/invitations/bulk").text, "html.parser")
    assert [i["value"] for i in soup.select("input[name=organisation_ids]")] == [str(carers)]
    missing = soup.select_one("#without-email")
    assert "have no email address" in missing.text
    assert [(a.text.strip(), a["href"]) for a in missing.select("li a")] == [
        ("Northshire Adult Social Care", f"/organisations/{adult}/edit")]


def _required_selects_without_placeholder(html):
    """HTML says a required single select must open with an empty-value option (its placeholder)."""
    soup = BeautifulSoup(html, "html.parser")
    bad = []
    for select_ in soup.select("select[required]"):
        if select_.has_attr("multiple") or int(select_.get("size", 1)) > 1:
            continue
        first = select_.find("option")
        if first is None or first.get("value", first.text) != "":
            bad.append(select_.get("name"))
    return bad


def test_every_required_select_opens_with_an_empty_placeholder(app, second_case):
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm
    from wtforms import RadioField, SelectField
    from wtforms.fields.core import UnboundField

    import scrutiny

    officer = _officer(app)
    pages = {"invitations.InvitationForm": f"/groups/{GROUP}/invitations/new"}
    for path in pages.values():
        page = officer.get(path)
        assert page.status_code == 200 and "<select" in page.text
        assert _required_selects_without_placeholder(page.text) == [], path
    # Every form with a required select is among the pages checked above.
    required = set()
    for module in pkgutil.walk_packages(scrutiny.__path__, "scrutiny."):
        if module.name.endswith(".forms"):
            for name, cls in vars(importlib.import_module(module.name)).items():
                if not (isinstance(cls, type) and issubclass(cls, FlaskForm)):
                    continue
                for unbound in (v for v in vars(cls).values() if isinstance(v, UnboundField)):
                    if issubclass(unbound.field_class, SelectField) and not issubclass(unbound.field_class, RadioField) and any(
                            "required" in getattr(v, "field_flags", {})
                            for v in unbound.kwargs.get("validators") or []):
                        required.add(f"{module.name.split('.')[1]}.{name}")
    assert "invitations.InvitationForm" in required  # the scan sees the one we know
    assert required <= set(pages)


def _decline(app, public_id, reason, on):
    from datetime import datetime

    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.public_id == public_id))
        invitation.status, invitation.decline_reason = "declined", reason
        invitation.responded_at = datetime.combine(on, datetime.min.time().replace(hour=10))
        db.session.commit()


def _form_values(html):
    soup = BeautifulSoup(html, "html.parser")
    values = {i["name"]: i.get("value", "") for i in soup.select("form input[name]") if i.get("type") != "checkbox"}
    values["questions"] = soup.select_one("textarea[name=questions]").text.strip()
    return soup, values


def test_inviting_an_organisation_that_declined_asks_first_and_keeps_the_form(app, second_case):
    from tests.factories import make_invitation

    _decline(app, make_invitation(app, GROUP, "Carers in Northshire", email="jo@carers.example"),
             "We have nobody free before March", date(2026, 3, 2))
    [carers] = _org_ids(app, "Carers in Northshire")
    officer = _officer(app)
    typed = {"organisation_id": carers, "contact_name": "Sam New", "contact_email": "sam@carers.example",
             "contact_role": "Director", "questions": "Q1\nQ2", "deadline": _deadline()}
    page = officer.submit(f"/groups/{GROUP}/invitations/new", typed)
    assert page.status_code == 200
    soup, values = _form_values(page.text)
    text = " ".join(soup.select_one("main").text.split())
    assert "Carers in Northshire declined on 2 March 2026: “We have nobody free before March”." in text
    assert "Invite them again?" in text
    assert _count(app, Invitation) == 1
    assert (values["contact_name"], values["contact_email"], values["contact_role"], values["questions"]) == (
        "Sam New", "sam@carers.example", "Director", "Q1\nQ2")
    assert soup.select_one("select[name=organisation_id] option[selected]")["value"] == str(carers)
    # Sending it again without saying yes still creates nothing, and says what to do.
    page = officer.submit(f"/groups/{GROUP}/invitations/new", {**typed, "seen_earlier": values["seen_earlier"]})
    assert "Tick the box to invite them again" in page.text
    assert _count(app, Invitation) == 1
    page = officer.submit(f"/groups/{GROUP}/invitations/new", {**typed, "seen_earlier": values["seen_earlier"],
                                                                "invite_again": "y"}, follow=True)
    assert "1 invitation saved as a draft" in page.text
    assert _count(app, Invitation) == 2


def test_the_same_contact_can_be_invited_again_after_declining(app, second_case):
    from tests.factories import make_invitation

    _decline(app, make_invitation(app, GROUP, "Carers in Northshire", email="jo@carers.example"),
             "Too busy", date(2026, 3, 2))
    [carers] = _org_ids(app, "Carers in Northshire")
    officer = _officer(app)
    typed = {"organisation_id": carers, "contact_name": "Jo", "contact_email": "jo@carers.example",
             "questions": "Q", "deadline": _deadline()}
    _, values = _form_values(officer.submit(f"/groups/{GROUP}/invitations/new", typed).text)
    officer.submit(f"/groups/{GROUP}/invitations/new",
                   {**typed, "seen_earlier": values["seen_earlier"], "invite_again": "y"})
    assert _count(app, Invitation) == 2


def test_inviting_an_organisation_already_invited_asks_first(app, second_case):
    from tests.factories import make_invitation

    make_invitation(app, GROUP, "Carers in Northshire", email="jo@carers.example", status="sent")
    [carers] = _org_ids(app, "Carers in Northshire")
    page = _officer(app).submit(f"/groups/{GROUP}/invitations/new", {
        "organisation_id": carers, "contact_name": "Sam", "contact_email": "sam@carers.example",
        "questions": "Q", "deadline": _deadline()})
    text = " ".join(BeautifulSoup(page.text, "html.parser").select_one("main").text.split())
    assert f"Carers in Northshire was already invited on {date.today():%-d %B %Y} (Wendy Witness, " \
           "jo@carers.example), status: Sent." in text
    assert _count(app, Invitation) == 1


def test_bulk_invite_lists_organisations_invited_before_and_needs_a_yes(app, second_case):
    from tests.factories import make_invitation

    carers = _set_email(app, "Carers in Northshire", "hello@carers.example")
    adult = _set_email(app, "Northshire Adult Social Care", "asc@northshire.example")
    _decline(app, make_invitation(app, GROUP, "Carers in Northshire", email="jo@carers.example"),
             "No capacity", date(2026, 3, 2))
    officer = _officer(app)
    typed = {"organisation_ids": [carers, adult], "questions": "Q1", "deadline": _deadline()}
    page = officer.submit(f"/groups/{GROUP}/invitations/bulk", typed)
    soup, values = _form_values(page.text)
    text = " ".join(soup.select_one("main").text.split())
    assert "Carers in Northshire declined on 2 March 2026: “No capacity”." in text
    assert _count(app, Invitation) == 1
    assert {i["value"] for i in soup.select("input[name=organisation_ids][checked]")} == {str(carers), str(adult)}
    officer.submit(f"/groups/{GROUP}/invitations/bulk", {**typed, "seen_earlier": values["seen_earlier"],
                                                         "invite_again": "y"})
    assert _count(app, Invitation) == 3


def _upload(officer, csv_text, send=True):
    from io import BytesIO

    from tests.conftest import csrf_token

    form = officer.get(f"/groups/{GROUP}/invitations/import")
    data = {"csrf_token": csrf_token(form.text), "questions": "Q1\nQ2", "deadline": _deadline(),
            "csv_file": (BytesIO(csv_text.encode()), "contacts.csv")}
    if send:
        data["send_now"] = "y"
    return officer.client.post(f"/groups/{GROUP}/invitations/import", data=data, content_type="multipart/form-data")


def _confirm(officer, page):
    soup = BeautifulSoup(page.text, "html.parser")
    form = soup.select_one("form[action$='/import/confirm']")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    return officer.client.post(form["action"], data=data, follow_redirects=True)


NEW_ORGS_CSV = ("organisation,name,email,role,kind\n"
                "Carers in Northshire,Jo Carer,jo@carers.example\n"
                "Nobody Ltd,Ann,ann@nobody.example\n"
                "Northshire Carers Forum,Bo,bo@forum.example,Chair,Voluntary or community group\n"
                "Northshire Carers Forum,Cy,cy@forum.example\n"
                "Ghost Org,Dee,not-an-email\n"
                "Odd Kind Ltd,Eve,eve@odd.example,,Charity\n")


def test_csv_naming_new_organisations_asks_before_creating_them(app, second_case, smtp, run_jobs):
    from scrutiny.organisations.models import Organisation

    officer = _officer(app)
    before = _count(app, Organisation)
    page = _upload(officer, NEW_ORGS_CSV)
    soup = BeautifulSoup(page.text, "html.parser")
    new = [[td.text.strip() for td in tr.select("td")] for tr in soup.select("#new-organisations tbody tr")]
    assert new == [["Nobody Ltd", "Other organisation"], ["Northshire Carers Forum", "Voluntary or community group"]]
    assert soup.select_one("form[action$='/import/confirm'] button").text.strip() == (
        "Create these 2 organisations and import")
    rejected = {tr.select("td")[0].text: tr.select("td")[2].text for tr in soup.select("#rejected tbody tr")}
    assert set(rejected) == {"6", "7"}
    assert "is not an email address" in rejected["6"]
    assert "“Charity” is not a kind of organisation" in rejected["7"]
    # Nothing is written until the officer says yes.
    assert (_count(app, Organisation), _count(app, Invitation)) == (before, 0)
    run_jobs()
    assert smtp.messages == []

    done = _confirm(officer, page)
    assert "4 invited, 2 rows rejected" in done.text
    with app.app_context():
        assert find_by_name("Nobody Ltd").kind == "other"
        assert find_by_name("Northshire Carers Forum").kind == "voluntary_community"
        assert find_by_name("Ghost Org") is None and find_by_name("Odd Kind Ltd") is None
        role = db.session.scalar(select(Invitation.contact_role).where(Invitation.contact_email == "bo@forum.example"))
        assert role == "Chair"
    run_jobs()
    assert len(smtp.messages) == 4
    # The same confirmation sent twice (a double click) imports nothing more.
    again = _confirm(officer, page)
    assert "Upload the file again" in again.text
    assert _count(app, Invitation) == 4


def test_a_csv_confirmation_is_only_good_for_the_officer_who_uploaded_it(app, second_case, make_user):
    from tests.conftest import Browser

    page = _upload(_officer(app), NEW_ORGS_CSV)
    with app.app_context():
        from scrutiny.groups.services import get_group_by_slug

        group = get_group_by_slug(GROUP)
        other = make_user("officer")
    other_officer = Browser(app.test_client())
    other_officer.sign_in(other)
    token_page = other_officer.get(f"/groups/{GROUP}/invitations/import").text
    soup = BeautifulSoup(page.text, "html.parser")
    from tests.conftest import csrf_token

    data = {i["name"]: i.get("value", "") for i in soup.select("form[action$='/import/confirm'] input[type=hidden]")}
    data["csrf_token"] = csrf_token(token_page)
    response = other_officer.client.post(f"/groups/{group.slug}/invitations/import/confirm", data=data,
                                         follow_redirects=True)
    assert "Upload the file again" in response.text
    assert _count(app, Invitation) == 0


def test_a_confirmed_import_that_fails_half_way_writes_nothing(app, second_case, monkeypatch):
    import pytest

    from scrutiny.invitations import services
    from scrutiny.organisations.models import Organisation

    officer = _officer(app)
    before = _count(app, Organisation)
    page = _upload(officer, NEW_ORGS_CSV, send=False)
    real, calls = services._new_invitation, []

    def fails_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_new_invitation", fails_on_the_third)
    with pytest.raises(RuntimeError):
        _confirm(officer, page)
    assert (_count(app, Organisation), _count(app, Invitation)) == (before, 0)
    monkeypatch.setattr(services, "_new_invitation", real)
    assert "4 invited" in _confirm(officer, page).text  # the upload was kept for another try


def test_csv_rows_inviting_again_wait_for_a_yes(app, second_case):
    from tests.factories import make_invitation

    _decline(app, make_invitation(app, GROUP, "Carers in Northshire", email="jo@carers.example"),
             "Too busy", date(2026, 3, 2))
    officer = _officer(app)
    page = _upload(officer, "Carers in Northshire,Jo Carer,jo@carers.example\n"
                            "Northshire Adult Social Care,Cal,cal@asc.example\n")
    soup = BeautifulSoup(page.text, "html.parser")
    assert "Carers in Northshire declined on 2 March 2026: “Too busy”." in soup.select_one("#invited-before").text
    assert _count(app, Invitation) == 1
    done = _confirm(officer, page)
    assert "2 invited, 0 rows rejected" in done.text
    assert _count(app, Invitation) == 3
