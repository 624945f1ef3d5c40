"""The reply service both the responders' portal and officers use: drafts keep
whatever was typed; submitting names, field by field, what is still missing."""
from datetime import date, timedelta

import pytest

from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.services import find_by_name
from scrutiny.responses import replies
from scrutiny.responses.models import ResponseRequest
from scrutiny.responses.replies import ActionInput, AnswerInput

TODAY = date(2027, 3, 1)


@pytest.fixture
def request_row(app, second_case):
    with app.app_context():
        group = get_group_by_slug(second_case)
        row = ResponseRequest(topic_group=group, organisation=find_by_name("Northshire Adult Social Care"),
                              due_on=TODAY + timedelta(days=28))
        db.session.add(row)
        db.session.commit()
        yield row


def test_a_draft_keeps_what_was_typed_and_submitting_names_each_gap(request_row):
    [answer] = replies.answers(request_row)
    rid = answer.recommendation_id
    replies.save_draft(request_row, [AnswerInput(rid, decision="partially_accepted", actions=[
        ActionInput(description="Weekly waiting list review", owner_role=""),
        ActionInput(),  # a blank row the form offered: dropped
    ])])
    db.session.expire_all()
    [answer] = replies.answers(request_row)
    assert answer.decision == "partially_accepted" and len(answer.actions) == 1
    fields = {p.field: p.message for p in replies.problems(request_row, TODAY)}
    assert fields == {
        f"{rid}-reason": "Recommendation 1: say why it is not fully accepted",
        f"{rid}-action-0-owner_role": "Recommendation 1, action 1: give the role of the person responsible",
        f"{rid}-action-0-target_date": "Recommendation 1, action 1: give a target date",
    }
    with pytest.raises(replies.ReplyError):
        replies.submit(request_row, name="Ann Responder", email="ann@example.org", today=TODAY)
    assert request_row.submitted_at is None


def test_a_past_target_date_is_refused_and_the_first_target_date_is_kept(request_row):
    [answer] = replies.answers(request_row)
    rid = answer.recommendation_id
    first = ActionInput(description="Hire two social workers", owner_role="Director of Adult Services",
                        target_date=TODAY - timedelta(days=1))
    replies.save_draft(request_row, [AnswerInput(rid, decision="accepted", actions=[first])])
    assert [p.message for p in replies.problems(request_row, TODAY)] == [
        "Recommendation 1, action 1: the target date must not be in the past"]
    first.target_date = TODAY + timedelta(days=90)
    replies.save_draft(request_row, [AnswerInput(rid, decision="accepted", actions=[first])])
    [action] = replies.answers(request_row)[0].actions
    assert action.original_target_date == TODAY - timedelta(days=1)  # the first date given stays on record
    replies.submit(request_row, name="Ann Responder", email="ann@example.org", today=TODAY)
    assert request_row.submitted_by_name == "Ann Responder"
    with pytest.raises(replies.ReplyError, match="can no longer be changed"):
        replies.save_draft(request_row, [AnswerInput(rid, decision="not_accepted")])


def test_a_draft_saved_without_commit_is_undone_by_a_rollback(request_row):
    """An officer's entry that fails leaves no draft behind for the responders."""
    [answer] = replies.answers(request_row)
    db.session.commit()
    rid = answer.recommendation_id
    replies.save_draft(request_row, [AnswerInput(rid, decision="not_accepted", reason="Too costly")], commit=False)
    db.session.rollback()
    [answer] = replies.answers(request_row)
    assert (answer.decision, answer.reason) == ("", "")
