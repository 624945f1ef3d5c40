"""The lead officer hears of councillors' comments once an hour, in one e-mail."""
import re
from datetime import datetime, timedelta

from rq.job import Job
from sqlalchemy import select, update

from scrutiny import jobs
from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from scrutiny.findings import comment_digest
from scrutiny.findings.models import Comment, Finding, Recommendation, ReportSection
from scrutiny.groups.services import get_group_by_slug

GROUP = "adult-social-care-waiting-times"
LEAD = "lead@second.example"


def _conclusions(app):
    """A finding, a recommendation and a section to comment on; returns their ids."""
    with app.app_context():
        group = get_group_by_slug(GROUP)
        db.session.add(Finding(topic_group=group, number=21, title="Assessments start late", text="..."))
        finding = Finding(topic_group=group, number=22, title="Carers wait without support", text="...")
        recommendation = Recommendation(topic_group=group, number=23, text="Offer carers a named contact")
        section = ReportSection(topic_group=group, kind="conclusions", body="...")
        db.session.add_all([finding, recommendation, section])
        db.session.commit()
        return {"finding": finding.id, "recommendation": recommendation.id, "section": section.id}


def _comment(app, author_email, kind, target_id, body):
    """A comment as the comment pages make it: saved, then comment_added."""
    with app.app_context():
        comment = Comment(topic_group_id=get_group_by_slug(GROUP).id, target_kind=kind, target_id=target_id,
                          author_id=find_user(author_email).id, body=body)
        db.session.add(comment)
        db.session.commit()
        comment_digest.comment_added(comment)


def _scheduled_digests(app):
    with app.app_context():
        registry = jobs.queue().scheduled_job_registry
        return [Job.fetch(job_id, connection=jobs.redis_connection()) for job_id in registry.get_job_ids()]


def _the_hour_ends(app, run_jobs):
    """Run every scheduled job now, as the worker's scheduler would at the end of the hour."""
    with app.app_context():
        queue = jobs.queue()
        for job in _scheduled_digests(app):
            queue.scheduled_job_registry.remove(job)
            queue.enqueue_job(job)
    run_jobs()


def test_three_comments_make_one_email_then_a_later_one_a_second(app, second_case, smtp, run_jobs):
    ids = _conclusions(app)
    _comment(app, "member@second.example", "finding", ids["finding"], "Do we have figures for 2025?")
    _comment(app, "chair@second.example", "recommendation", ids["recommendation"], "Who pays for this?")
    _comment(app, "member@second.example", "section", ids["section"], "Too long: cut the second paragraph.")
    _comment(app, LEAD, "finding", ids["finding"], "Figures are on their way.")  # the lead's own

    [scheduled] = _scheduled_digests(app)  # one digest for the hour, however many comments
    with app.app_context():
        at = jobs.queue().scheduled_job_registry.get_scheduled_time(scheduled)
    assert (at.minute, at.second) == (0, 0) and at > datetime.now(at.tzinfo)
    run_jobs()
    assert smtp.messages == []  # not before the hour ends

    _the_hour_ends(app, run_jobs)
    [message] = smtp.to(LEAD)
    assert message["Subject"] == "3 new comments on Adult Social Care Waiting Times"
    text = message.get_body(("plain",)).get_content()
    html = re.sub(r"<[^>]+>", "", message.get_body(("html",)).get_content())  # as read
    for body in (text, html):
        assert "Councillor Ann Member on Finding 22: Carers wait without support" in body
        assert "Do we have figures for 2025?" in body
        assert "Councillor Tom Chairperson on Recommendation 23" in body and "Who pays for this?" in body
        assert "Section: Conclusions" in body and "Too long: cut the second paragraph." in body
        assert "Figures are on their way." not in body  # the lead officer's own comment
    assert "/groups/adult-social-care-waiting-times/draft" in text
    assert 'href="http://127.0.0.1:5000/groups/adult-social-care-waiting-times/draft"' in message.get_body(
        ("html",)).get_content()
    with app.app_context():
        assert db.session.scalar(select(Comment).where(Comment.digested_at.is_(None))) is None

    _comment(app, "chair@second.example", "finding", ids["finding"], "Thank you, that answers it.")
    _the_hour_ends(app, run_jobs)
    first, second = smtp.to(LEAD)
    assert second["Subject"] == "1 new comment on Adult Social Care Waiting Times"
    later = second.get_body(("plain",)).get_content()
    assert "Thank you, that answers it." in later and "Who pays for this?" not in later

    with app.app_context():  # the job again (a lost schedule found, a retry): nothing more
        assert comment_digest.send_digest(get_group_by_slug(GROUP).id) == "nothing to digest"
        jobs.enqueue(comment_digest.JOB, get_group_by_slug(GROUP).id)
    run_jobs()
    assert len(smtp.to(LEAD)) == 2


def test_a_starting_worker_digests_comments_whose_schedule_redis_lost(app, second_case, smtp, run_jobs,
                                                                      redis_url):
    import redis as redis_lib

    ids = _conclusions(app)
    _comment(app, "member@second.example", "recommendation", ids["recommendation"], "Add a date.")
    redis_lib.Redis.from_url(redis_url).flushdb()
    with app.app_context():
        assert comment_digest.schedule_overdue() == 0  # younger than an hour: its schedule may be fine
        db.session.execute(update(Comment).values(created_at=datetime.utcnow() - timedelta(minutes=61)))
        db.session.commit()
        assert comment_digest.schedule_overdue() == 1
    run_jobs()
    [message] = smtp.to(LEAD)
    assert "Add a date." in message.get_body(("plain",)).get_content()
