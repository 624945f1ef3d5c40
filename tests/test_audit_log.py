"""The audit log: each thing a council may have to account for leaves a row
naming who, what, when, from where and on which object, saved with the
change itself (a refused change leaves none); officers read and filter it,
administrators export it, and on PostgreSQL nobody can change a row."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.audit.models import AuditEvent
from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from tests.conftest import PASSWORD, Browser
from tests.factories import make_group
from tests.test_evidence_library import _add_file, _evidence
from tests.test_following import _links as follow_links
from tests.test_following import published  # noqa: F401 - a fixture
from tests.test_invitations_journey import invite
from tests.test_letters import second, signed_in  # noqa: F401 - a fixture
from tests.test_pages_accessibility import check_page
from tests.test_publication import PAGE, evidence, publish, publishable  # noqa: F401 - fixtures

GROUP = "adult-social-care-waiting-times"
LEAD = "lead@second.example"
LOCAL = "127.0.0.1"  # the test client's address


def rows(app, action=None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def the_row(app, action) -> AuditEvent:
    found = rows(app, action)
    assert len(found) == 1, [(r.action, r.object_label) for r in found]
    return found[0]


def group_id(app, slug=GROUP) -> int:
    with app.app_context():
        return get_group_by_slug(slug).id


def user_id(app, email) -> int:
    with app.app_context():
        return find_user(email).id


def as_user(app, email, password=PASSWORD) -> Browser:
    browser = Browser(app.test_client())
    browser.sign_in(email, password)
    return browser


# ---- the events ------------------------------------------------------------------------------


def test_sign_ins_and_failed_ones_name_the_account_only_when_it_is_one(app, browser, second_case):
    browser.submit("/sign-in", {"email": "member@second.example", "password": "wrong guess at it"})
    browser.submit("/sign-in", {"email": "nobody@nowhere.example", "password": "my secret passphrase"})
    browser.sign_in("member@second.example")

    tried_member, tried_stranger = rows(app, "sign_in_failed")
    assert (tried_member.actor_name, tried_member.ip_address) == ("Someone not signed in", LOCAL)
    assert tried_member.object_type == "user" and tried_member.object_id == str(user_id(app, "member@second.example"))
    assert tried_member.details == {"email": "member@second.example"}
    assert tried_stranger.details == {"email": "unknown address"} and tried_stranger.object_id == ""
    signed = the_row(app, "sign_in")
    assert signed.actor_user_id == user_id(app, "member@second.example") and signed.ip_address == LOCAL
    assert "Councillor Ann Member" in signed.actor_name
    # Neither the address nobody owns nor any password is written anywhere.
    everything = " ".join(f"{r.actor_name} {r.object_label} {r.details}" for r in rows(app))
    for secret in ("nobody@nowhere.example", "wrong guess at it", "my secret passphrase", PASSWORD):
        assert secret not in everything


def test_role_and_password_changes_are_logged_and_a_refused_change_leaves_no_row(app, second_case, make_user):
    admin_email = make_user("admin")
    admin = as_user(app, admin_email)
    member = user_id(app, "member@second.example")
    page = admin.submit(f"/admin/users/{member}/edit", {"name": "Councillor Ann Member", "role": "officer",
                                                        "active": "y", "password": ""})
    assert page.status_code == 302
    changed = the_row(app, "role_changed")
    assert changed.actor_user_id == user_id(app, admin_email) and changed.ip_address == LOCAL
    assert changed.object_id == str(member) and changed.details == {"from": "councillor", "to": "officer"}

    # Refused (an administrator cannot remove their own access): rolled back, row and all.
    me = user_id(app, admin_email)
    page = admin.submit(f"/admin/users/{me}/edit", {"name": "Admin", "role": "officer", "active": "y",
                                                    "password": "a new password for them"})
    assert "You cannot remove your own administrator access" in page.text
    assert len(rows(app, "role_changed")) == 1 and rows(app, "password_changed") == []

    lead = as_user(app, LEAD)
    page = lead.submit("/change-password", {"current_password": "not my password", "password": "x" * 14,
                                            "confirm": "x" * 14})
    assert rows(app, "password_changed") == []
    page = lead.submit("/change-password", {"current_password": PASSWORD, "password": "a much longer one",
                                            "confirm": "a much longer one"})
    assert page.status_code == 302
    own = the_row(app, "password_changed")
    assert own.actor_user_id == own.actor_user_id == user_id(app, LEAD) and own.object_id == str(user_id(app, LEAD))
    assert own.details == {"how": "changed by its owner"} and own.ip_address == LOCAL
    assert "a much longer one" not in str(own.details)


def test_invitations_created_and_withdrawn_are_logged_without_the_witness_address(app, second_case):
    officer = as_user(app, LEAD)
    refused = invite(officer, app, email="not-an-address", send=False)
    assert refused.status_code == 200 and rows(app, "invitation_created") == []
    invite(officer, app, send=False)
    created = the_row(app, "invitation_created")
    assert created.actor_user_id == user_id(app, LEAD) and created.ip_address == LOCAL
    assert created.object_type == "invitation" and created.object_label == "Invitation to Carers in Northshire"
    assert created.topic_group_id == group_id(app)
    assert "jo@carers.example" not in f"{created.object_label} {created.details}"

    page = officer.submit(f"/groups/{GROUP}/invitations/{created.object_id}/withdraw", {},
                          form_page=f"/groups/{GROUP}/invitations/{created.object_id}")
    assert page.status_code == 302
    withdrawn = the_row(app, "invitation_withdrawn")
    assert (withdrawn.object_id, withdrawn.actor_user_id) == (created.object_id, user_id(app, LEAD))
    # Withdrawing again is refused: nothing more is logged.
    officer.submit(f"/groups/{GROUP}/invitations/{created.object_id}/withdraw", {},
                   form_page=f"/groups/{GROUP}/invitations/{created.object_id}")
    assert len(rows(app, "invitation_withdrawn")) == 1


def test_downloading_confidential_evidence_is_logged_and_other_evidence_is_not(app, second_case):
    secret = _add_file(app, _evidence(app, title="Case reviews", status="accepted", confidential=True),
                       name="case-reviews.csv")
    open_file = _add_file(app, _evidence(app, "Carers in Northshire", title="Survey", status="accepted"),
                          name="survey.csv")
    member = as_user(app, "member@second.example")
    assert member.get(f"/groups/{GROUP}/evidence/files/{open_file}").status_code == 200
    assert rows(app, "evidence_downloaded") == []
    assert member.get(f"/groups/{GROUP}/evidence/files/{secret}").status_code == 200
    row = the_row(app, "evidence_downloaded")
    assert row.actor_user_id == user_id(app, "member@second.example") and row.ip_address == LOCAL
    assert (row.object_type, row.object_id, row.object_label) == ("evidence_file", secret, "case-reviews.csv")
    assert row.topic_group_id == group_id(app)


def test_the_draft_signed_off_and_reopened_is_logged(app, second_case):
    officer = as_user(app, LEAD)
    draft = f"/groups/{GROUP}/draft"
    officer.submit(f"{draft}/circulate", {}, form_page=draft)
    page = officer.submit(f"{draft}/sign-off", {"sign-off-draft": "1"}, form_page=draft, follow=True)
    assert "Draft 1 is signed off" in page.text
    signed = the_row(app, "draft_signed_off")
    assert signed.actor_user_id == user_id(app, LEAD) and signed.ip_address == LOCAL
    assert signed.object_label == "Draft 1" and signed.details == {"on_behalf_of_chair": True}
    assert signed.topic_group_id == group_id(app)
    officer.submit(f"{draft}/reopen", {"reopen-reason": "A witness corrected their figures."}, form_page=draft)
    assert the_row(app, "draft_reopened").details == {"reason": "A witness corrected their figures."}


def test_a_report_built_published_and_withdrawn_is_logged(app, publishable):  # noqa: F811 - the fixture
    builds = rows(app, "document_build_requested")  # three letters, then the report
    assert [b.details["kind"] for b in builds] == ["letter"] * 3 + ["report"]
    built = builds[-1]
    assert built.actor_user_id == user_id(app, LEAD) and built.ip_address == LOCAL
    assert (built.object_type, built.object_label) == ("document", "Final report version 1")
    browser = signed_in(app)
    assert publish(browser).status_code == 302
    made_public = the_row(app, "report_published")
    assert made_public.actor_user_id == user_id(app, LEAD) and made_public.ip_address == LOCAL
    assert made_public.topic_group_id == group_id(app) and made_public.object_type == "publication"
    page = browser.submit(f"{PAGE}/withdraw", {"reason": "A witness asked us to correct it."}, form_page=PAGE)
    assert page.status_code == 302
    assert the_row(app, "publication_withdrawn").details == {"reason": "A witness asked us to correct it."}


def test_a_publication_that_fails_half_way_leaves_no_row(app, publishable, monkeypatch):  # noqa: F811
    from scrutiny.publication import services

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "record_event", broken)
    with app.app_context(), pytest.raises(RuntimeError):
        services.publish(get_group_by_slug(GROUP), find_user(LEAD))
    assert rows(app, "report_published") == []


def test_a_redaction_is_logged_with_its_ground_but_not_the_passage(app, second_case):
    item = _evidence(app, title="What residents told us", status="accepted",
                     body="Mrs Jane Doe waited nine months for an assessment.")
    officer = as_user(app, LEAD)
    url = f"/groups/{GROUP}/publication/evidence/{item}"
    fields = {"decision": "publish", "summary": "", "redactions-0-passage": "Jane Doe",
              "redactions-0-ground": "12a_2", "redactions-0-note": "Named resident"}
    page = officer.submit(url, {**fields, "redactions-0-ground": ""})
    assert page.status_code in (200, 400) and rows(app, "evidence_cleared") == []
    page = officer.submit(url, fields, follow=True)
    assert "Saved your decision on What residents told us." in page.text
    row = the_row(app, "evidence_cleared")
    assert row.actor_user_id == user_id(app, LEAD) and row.ip_address == LOCAL
    assert (row.object_type, row.object_id, row.topic_group_id) == ("submission", item, group_id(app))
    assert row.details == {"decision": "publish", "redactions": 1, "grounds": ["12a_2"], "files_reopened": 0}
    assert "Jane" not in f"{row.object_label} {row.details}"


def test_unsubscribing_is_an_erasure_logged_without_the_address(app, browser, published, smtp,  # noqa: F811
                                                                 run_jobs):
    reader = "resident@home.example"
    browser.submit(f"/reviews/{GROUP}/follow", {"email": reader})
    run_jobs()
    links = follow_links(smtp.to(reader)[0])
    done = browser.submit(links["unsubscribe"], {})
    assert "You have stopped following this review" in done.text
    erased = the_row(app, "follower_erased")
    assert erased.actor_name == "Follower (unsubscribe link)" and erased.actor_user_id is None
    assert erased.ip_address == LOCAL and erased.topic_group_id == group_id(app)
    assert erased.object_label == "A follower of Adult Social Care Waiting Times"
    assert reader not in str([(r.actor_name, r.object_label, r.details) for r in rows(app)])


def test_events_outside_a_request_are_the_systems(app, second_case):
    from scrutiny.audit import services

    with app.app_context():
        services.record("unconfirmed_followers_erased", details={"followers": 2})
        db.session.commit()
    row = the_row(app, "unconfirmed_followers_erased")
    assert (row.actor_name, row.actor_user_id, row.ip_address) == ("system", None, "")


# ---- the page and the export ------------------------------------------------------------------


def _table(page) -> list[list[str]]:
    soup = BeautifulSoup(page.text, "html.parser")
    table = soup.select_one("table.govuk-table")
    if table is None:
        return []
    return [[" ".join(td.get_text(" ").split()) for td in tr.select("td")] for tr in table.select("tbody tr")]


@pytest.fixture
def logged(app, second_case):
    """Sign-ins, and invitations in two groups."""
    from scrutiny.invitations import services
    from scrutiny.organisations.services import find_by_name

    officer = as_user(app, LEAD)
    invite(officer, app, send=False)
    make_group(app, "library-opening-hours", "Library Opening Hours")
    with app.app_context():
        services.create_invitation(get_group_by_slug("library-opening-hours"),
                                   services.Contact(find_by_name("Carers in Northshire"), "Lou", "lou@carers.example"),
                                   questions="Q?", deadline=date.today() + timedelta(days=10), by=find_user(LEAD))
    return officer


def test_an_officer_filters_the_log_by_action_and_topic_group(app, logged):
    page = logged.get("/audit")
    assert page.status_code == 200
    check_page(page.text, "/audit")
    everything = _table(page)
    assert everything[0][1] == "Invitation created"  # newest first
    assert {r[1] for r in everything} >= {"Signed in", "Invitation created"}

    by_action = _table(logged.get("/audit?action=invitation_created"))
    assert [r[1] for r in by_action] == ["Invitation created", "Invitation created"]
    # The group under the object it is about, in the "On" column.
    assert sorted(r[3] for r in by_action) == ["Invitation to Carers in Northshire Adult Social Care Waiting Times",
                                               "Invitation to Carers in Northshire Library Opening Hours"]

    by_group = _table(logged.get(f"/audit?group={group_id(app)}"))
    assert [(r[1], r[3]) for r in by_group] == [
        ("Invitation created", "Invitation to Carers in Northshire Adult Social Care Waiting Times")]
    assert "Priya Lead-Officer" in by_group[0][2] and by_group[0][2].endswith(f"from {LOCAL}")

    by_person = _table(logged.get(f"/audit?person={user_id(app, LEAD)}&action=sign_in"))
    assert len(by_person) == 1 and "Priya Lead-Officer" in by_person[0][2]
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert _table(logged.get(f"/audit?from={tomorrow}")) == []
    wrong = logged.get("/audit?from=yesterday")
    assert "The ‘from’ date must be a date like 2026-11-30, not “yesterday”" in wrong.text
    check_page(wrong.text, "/audit?from=yesterday")
    assert len(_table(wrong)) == len(everything)  # the wrong filter is left out, the rest shown


def test_the_log_is_in_the_officers_navigation_and_closed_to_councillors(app, logged):
    nav = BeautifulSoup(logged.get("/groups").text, "html.parser").select_one("#navigation")
    assert "Audit log" in nav.get_text()
    councillor = as_user(app, "member@second.example")
    assert councillor.get("/audit").status_code == 403
    assert councillor.get("/audit.csv").status_code == 403
    assert "Audit log" not in BeautifulSoup(councillor.get("/my-groups").text, "html.parser").get_text()


def test_an_officer_cannot_export_but_an_administrator_downloads_a_safe_csv(app, logged, make_user):
    assert logged.get("/audit.csv").status_code == 403
    assert "Download" not in logged.get("/audit").text
    admin = as_user(app, make_user("admin", name="=HYPERLINK(\"http://evil.example\")"))
    response = admin.get("/audit.csv?action=invitation_created")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0][:4] == ["Time", "Action", "Action code", "Person"]
    assert [(r[1], r[2], r[8]) for r in table[1:]] == [
        ("Invitation created", "invitation_created", "Library Opening Hours"),
        ("Invitation created", "invitation_created", "Adult Social Care Waiting Times")]
    assert all("Priya Lead-Officer" in r[3] for r in table[1:])
    assert [r[4] for r in table[1:]] == ["", LOCAL]  # called outside a request, then through the page
    # The administrator's own sign-in, with a name a spreadsheet would run, comes out inert.
    signed = list(csv.reader(io.StringIO(admin.get("/audit.csv?action=sign_in").data.decode("utf-8-sig"))))
    assert signed[1][3].startswith("'=HYPERLINK(")


# ---- append-only -------------------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_a_row(app, logged):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("only PostgreSQL keeps the log append-only (migration 0010's trigger)")
        for statement in ("UPDATE audit_events SET actor_name = 'someone else'", "DELETE FROM audit_events",
                          "TRUNCATE audit_events"):
            with pytest.raises(sa.exc.DatabaseError, match="audit_events is append-only"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text(statement))
    assert {r.actor_name for r in rows(app, "sign_in")} != {"someone else"}


def test_the_log_is_read_a_page_at_a_time_newest_first(app, logged):
    from scrutiny.audit import services

    with app.app_context():
        for n in range(services.PAGE_SIZE + 5):
            services.record("unconfirmed_followers_erased", details={"followers": n})
        db.session.commit()
    first = logged.get("/audit?action=unconfirmed_followers_erased")
    assert "Events 1 to 50 of 55" in first.text and len(_table(first)) == 50
    assert "Followers: 54" in _table(first)[0][1]  # the latest first
    older = BeautifulSoup(first.text, "html.parser").select_one(".govuk-pagination__next a")["href"]
    second_page = logged.get(older)
    assert "Events 51 to 55 of 55" in second_page.text and "Followers: 0" in _table(second_page)[-1][1]
