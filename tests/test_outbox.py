"""The outbox: e-mail to anyone, recorded first, sent by a real worker over
real SMTP, and never lost when Redis loses its jobs."""
from datetime import datetime, timedelta

import redis as redis_lib
from sqlalchemy import select, update

from scrutiny import outbox
from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.outbox.models import Email
from tests.workers import app_env, flask_command

GROUP = "adult-social-care-waiting-times"
LEAD = "lead@second.example"


def _queue_note(app, subject="A note for the lead officer", commit=True):
    """An e-mail to a member of staff, not a witness: no invitation at all."""
    with app.app_context():
        lead = find_user(LEAD)
        group = get_group_by_slug(GROUP)
        email = outbox.queue_email(lead.email, "comment_digest", subject, kind="comment_digest", to_name=lead.name,
                                   topic_group=group, user=lead, recipient=lead, items=[],
                                   link="http://scrutiny.example/groups/x/draft")
        email_id = email.id
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        return email_id


def _email(app, email_id):
    with app.app_context():
        email = db.session.get(Email, email_id)
        db.session.expunge_all()
        return email


def test_an_email_to_a_member_of_staff_is_rendered_recorded_and_sent_after_the_commit(app, second_case, smtp,
                                                                                        run_jobs):
    email_id = _queue_note(app)
    recorded = _email(app, email_id)
    assert (recorded.status, recorded.invitation_id, recorded.to_name) == ("queued", None, "Priya Lead-Officer")
    assert "Dear Priya Lead-Officer" in recorded.body_text and "Dear Priya Lead-Officer" in recorded.body_html
    run_jobs()
    [message] = smtp.to(LEAD)
    assert message["Subject"] == "A note for the lead officer"
    assert "Priya Lead-Officer" in message["To"]
    assert "Dear Priya Lead-Officer" in message.get_body(("plain",)).get_content()
    sent = _email(app, email_id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, "")
    assert sent.sent_at is not None


def test_a_rolled_back_email_is_never_sent(app, second_case, smtp, run_jobs):
    _queue_note(app, commit=False)
    run_jobs()
    assert smtp.messages == []
    with app.app_context():
        assert db.session.scalar(select(Email)) is None


def test_a_refusing_mail_server_is_retried_with_attempts_and_error_recorded(app, second_case, smtp, run_jobs):
    smtp.refuse = 1
    email_id = _queue_note(app)
    run_jobs()
    assert len(smtp.to(LEAD)) == 1
    assert (_email(app, email_id).status, _email(app, email_id).attempts) == ("sent", 2)

    smtp.refuse = 10  # more than the retries
    failing = _queue_note(app, "Never arrives")
    run_jobs()
    email = _email(app, failing)
    assert (email.status, email.attempts) == ("failed", 1 + len(app.config["MAIL_RETRY_INTERVALS"]))
    assert "451" in email.last_error and email.sent_at is None


def test_emails_whose_jobs_redis_lost_are_requeued_once(app, second_case, smtp, run_jobs, redis_url):
    email_id = _queue_note(app)
    redis_lib.Redis.from_url(redis_url).flushdb()  # Redis restarted without its data
    run_jobs()
    assert smtp.messages == []
    with app.app_context():
        assert outbox.requeue_lost() == 0  # too young: its own request may still be enqueueing it
        assert outbox.requeue_lost(grace=timedelta(0)) == 1
        assert outbox.requeue_lost(grace=timedelta(0)) == 0  # its job is there now
    run_jobs()
    assert len(smtp.to(LEAD)) == 1
    assert _email(app, email_id).status == "sent"
    with app.app_context():
        assert outbox.requeue_lost(grace=timedelta(0)) == 0  # sent: nothing owed


def test_a_starting_worker_sends_what_redis_lost(app, second_case, smtp, database_url, redis_url, tmp_path):
    email_id = _queue_note(app, "Sent by the worker's start-up sweep")
    with app.app_context():
        db.session.execute(update(Email).values(created_at=datetime.utcnow() - timedelta(minutes=5)))
        db.session.commit()
    redis_lib.Redis.from_url(redis_url).flushdb()
    env = {**app_env(app, database_url, redis_url, tmp_path),
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(app.config["MAIL_PORT"])}
    result = flask_command("worker", "--burst", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    [message] = smtp.to(LEAD)
    assert message["Subject"] == "Sent by the worker's start-up sweep"
    assert _email(app, email_id).status == "sent"


def test_an_invitations_lines_arrive_as_written_with_no_from_mangled(app, second_case, smtp, run_jobs):
    """mbox-style 'From ' quoting showed witnesses '>From this page you can accept'."""
    from tests.conftest import Browser
    from tests.test_invitations_journey import invite

    officer = Browser(app.test_client())
    officer.sign_in(LEAD)
    invite(officer, app)
    run_jobs()
    [message] = smtp.to("jo@carers.example")
    lines = message.get_body(("plain",)).get_content().splitlines()
    assert any(line.startswith("From this page you can accept") for line in lines)
    assert not any(line.startswith(">From") for line in lines)


def test_an_email_with_a_text_attachment_arrives_with_it_as_its_own_part(app, second_case, smtp, run_jobs):
    calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"
    with app.app_context():
        lead = find_user(LEAD)
        email = outbox.queue_email(lead.email, "comment_digest", "With a calendar", kind="comment_digest",
                                   topic_group=get_group_by_slug(GROUP), recipient=lead, items=[],
                                   link="http://scrutiny.example/groups/x/draft")
        email.attachment_name, email.attachment_type, email.attachment_text = (
            "meeting.ics", "text/calendar", calendar)
        db.session.commit()
    run_jobs()
    [message] = smtp.to(LEAD)
    assert message.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar"]
    [attached] = message.iter_attachments()
    assert attached.get_filename() == "meeting.ics"
    assert attached.get_content().replace("\r\n", "\n") == calendar.replace("\r\n", "\n")
