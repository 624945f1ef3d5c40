from sqlalchemy import select

from scrutiny.demo.loader import load_case
from scrutiny.findings.models import Recommendation
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.models import Organisation


def test_demo_case_has_the_reviews_chair_findings_and_recommendations(app, demo_case):
    with app.app_context():
        group = get_group_by_slug(demo_case)
        assert group.title == "BAME Health Inequalities"
        assert group.chair.name == "Councillor Judi Billing MBE"
        assert group.status_label == "Monitoring responses"
        assert [t.name for t in group.themes][:3] == ["Diabetes", "Mental health", "Maternity"]
        assert len(group.findings) == 5
        assert [r.number for r in group.recommendations] == [1, 2, 3, 4, 5, 6]
        last = group.recommendations[-1]
        # The council the demo's report and letters come from is the configured one.
        assert [o.name for o in last.addressees] == [app.config["COUNCIL_NAME"]]
        assert "maternity" in last.text
        # Its history walks forward through each stage to where it is now.
        assert [c.to_status for c in reversed(group.status_changes)] == [
            "gathering_evidence", "deliberating", "drafting_report", "published", "monitoring_responses"]


def test_loading_the_demo_twice_creates_nothing_new(app, demo_case):
    with app.app_context():
        orgs = len(app.extensions["sqlalchemy"].session.scalars(select(Organisation)).all())
        report = load_case()
        assert report.created == []
        assert len(app.extensions["sqlalchemy"].session.scalars(select(Organisation)).all()) == orgs
        assert len(app.extensions["sqlalchemy"].session.scalars(select(Recommendation)).all()) == 6


def test_demo_load_command_lists_the_demo_accounts(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for email in ("admin@example.org", "officer@example.org", "councillor@example.org"):
        assert email in result.output
    assert "scrutiny-demo" in result.output


def test_demo_load_refuses_in_production(runner, app):
    app.config["SCRUTINY_ENV"] = "production"
    try:
        result = runner.invoke(args=["demo", "load"])
    finally:
        app.config["SCRUTINY_ENV"] = "testing"
    assert result.exit_code != 0
    assert "never loaded when SCRUTINY_ENV=production" in result.output
    with app.app_context():
        assert get_group_by_slug("bame-health-inequalities") is None


def test_a_second_review_loads_beside_the_demo(app, demo_case, second_case):
    with app.app_context():
        second = get_group_by_slug(second_case)
        assert second.chair.name == "Councillor Tom Chairperson"
        assert second.status_label == "Gathering evidence"
        assert get_group_by_slug(demo_case).title == "BAME Health Inequalities"


def test_demo_accounts_can_sign_in_with_the_published_password(browser, demo_case):
    for email in ("admin@example.org", "officer@example.org", "councillor@example.org"):
        browser.sign_in(email, "scrutiny-demo")
        browser.sign_out()


def test_the_demo_has_invitations_sessions_with_presentations_and_a_full_library(app, demo_case):
    from scrutiny.storage import storage
    from tests.conftest import Browser

    officer = Browser(app.test_client())
    officer.sign_in("officer@example.org", "scrutiny-demo")
    invitations = officer.get(f"/groups/{demo_case}/invitations").text
    assert "Evidence submitted (4)" in invitations and "Declined (1)" in invitations
    sessions = officer.get(f"/groups/{demo_case}/sessions").text
    assert "Evidence session 1: NHS services" in sessions and "Evidence session 2: community voices" in sessions
    library = officer.get(f"/groups/{demo_case}/evidence").text
    for title in ("What residents told us about health services", "Diabetes outcomes by ethnicity",
                  "Maternity care and women from BAME backgrounds"):
        assert title in library
    with app.app_context():
        group = get_group_by_slug(demo_case)
        presentations = [s for s in group.evidence_sessions[0].slots]
        assert len(presentations) == 3
        from scrutiny.evidence.models import Submission

        files = [f for s in app.extensions["sqlalchemy"].session.scalars(select(Submission)) for f in s.files]
        assert len(files) == 4
        for f in files:
            assert storage().open(f.storage_key).read(5) == b"%PDF-"


# Records of people and organisations, not of the review: made when the demo loads. The audit log
# too: it records when this system did things (loading the demo), never a back-dated story.
NOT_THE_REVIEWS = {"users", "organisations", "password_reset_tokens", "alembic_version", "audit_events"}


def _taking_part_now(table):
    """Residents taking part today, on purpose (scrutiny/demo/community.py): the discussion open for
    sign-up (after the day loaded, so its public pages work), its sign-ups, and the request waiting
    for a call. Everything else of the review's community engagement keeps to 2021."""
    from scrutiny.community.models import DiscussionEvent

    published = select(DiscussionEvent.id).where(DiscussionEvent.status == "published")
    return {"discussion_events": lambda: table.c.status == "published",
            "event_signups": lambda: table.c.event_id.in_(published),
            "conversation_requests": lambda: table.c.status == "open"}.get(table.name, lambda: None)()


def test_the_demos_history_follows_its_own_2021_timeline_not_the_day_it_was_loaded(app, demo_case):
    """A 2021 review whose stage changes, invitations and evidence were dated
    the day `make run` loaded it showed an impossible history."""
    import tomllib
    from datetime import datetime, time

    from sqlalchemy import DateTime, inspect

    from scrutiny.demo.loader import DEMO_CASE
    from scrutiny.extensions import db

    case = tomllib.loads(DEMO_CASE.read_text(encoding="utf-8"))
    # The last day the review's own file names: the letters' latest due date,
    # or the last moment anything happened (a response, an update, a review).
    last_day = max([case["group"]["end_date"], case["responses"]["requested_on"],
                    *(row["due_on"] for row in case["responses"]["dates"]),
                    *(moment.date() for moment in _moments(case))])
    assert last_day.year == 2022
    after = datetime.combine(last_day, time.max)
    late = []
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name in NOT_THE_REVIEWS or table.name not in names:
                continue
            columns = [c for c in table.columns if isinstance(c.type, DateTime)]
            live = _taking_part_now(table)
            for column in columns:
                query = select(column).where(column.is_not(None))
                for value in db.session.execute(query if live is None else query.where(~live)).scalars():
                    if value.replace(tzinfo=None) > after:
                        late.append(f"{table.name}.{column.name} = {value:%Y-%m-%d}")
    assert not late, "\n".join(sorted(set(late)))


def _moments(value):
    """Every local date-time anywhere in the case file."""
    from datetime import datetime

    if isinstance(value, datetime):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _moments(item)
    elif isinstance(value, list):
        for item in value:
            yield from _moments(item)
