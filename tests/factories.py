"""Records for tests, made directly so a test can start from any state.

Each function runs inside an app context of its own and returns plain values
(ids, public ids), never ORM objects bound to a closed session.
"""
from __future__ import annotations

from datetime import date, timedelta

from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.services import find_by_name


def make_invitation(app, group_slug: str, organisation: str, *, email: str = "witness@org.example",
                    name: str = "Wendy Witness", status: str = "sent", deadline: date | None = None,
                    questions: str = "What do you see?") -> str:
    from scrutiny.invitations.models import Invitation

    with app.app_context():
        invitation = Invitation(
            topic_group=get_group_by_slug(group_slug), organisation=find_by_name(organisation),
            contact_name=name, contact_email=email, questions=questions, status=status,
            deadline=deadline or date.today() + timedelta(days=21),
        )
        db.session.add(invitation)
        db.session.commit()
        return invitation.public_id


def make_submission(app, invitation_public_id: str | None, *, group_slug: str | None = None,
                    title: str = "Written evidence", summary: str = "", body: str = "",
                    kind: str = "written", status: str = "submitted", confidential: bool = False,
                    themes: tuple[str, ...] = ()) -> str:
    from sqlalchemy import select

    from scrutiny.evidence.models import Submission
    from scrutiny.invitations.models import Invitation

    with app.app_context():
        invitation = None
        if invitation_public_id:
            invitation = db.session.scalar(select(Invitation).where(Invitation.public_id == invitation_public_id))
        group = invitation.topic_group if invitation else get_group_by_slug(group_slug)
        submission = Submission(
            topic_group=group, invitation=invitation,
            organisation=invitation.organisation if invitation else None,
            title=title, summary=summary, body=body, kind=kind, status=status, confidential=confidential,
            themes=[t for t in group.themes if t.name in themes],
        )
        db.session.add(submission)
        db.session.commit()
        return submission.public_id


def submit_response(app, group_slug: str, organisation: str, answers: dict[int, tuple], *,
                    name: str = "Dana Director", email: str = "dana@org.example") -> str:
    """The organisation's first-round response, saved and submitted through
    the reply service as the portal does. `answers`: recommendation number ->
    (decision, reason, [(description, owner role, target date or None), ...]).
    Returns the request's public id."""
    from sqlalchemy import select

    from scrutiny.clock import today
    from scrutiny.responses import replies
    from scrutiny.responses.models import ActionState, ResponseRequest

    with app.app_context():
        group = get_group_by_slug(group_slug)
        request = db.session.scalar(select(ResponseRequest).where(
            ResponseRequest.topic_group_id == group.id, ResponseRequest.round == 1,
            ResponseRequest.organisation_id == find_by_name(organisation).id))
        numbers = {r.number: r.id for r in group.recommendations}
        typed = [replies.AnswerInput(numbers[number], decision, reason,
                                     [replies.ActionInput(description, ActionState.PLANNED if target else
                                                          ActionState.IN_PLACE, role, "", target)
                                      for description, role, target in actions])
                 for number, (decision, reason, actions) in answers.items()]
        replies.save_draft(request, typed)
        replies.submit(request, name=name, email=email, today=today())
        return request.public_id


def publish_group(app, group_slug: str, *, at, events: tuple[tuple[str, str, str, object], ...] = (),
                  withdrawn_at=None, reason: str = "") -> None:
    """The group's Publication as the publish service leaves it, made
    directly: published `at` (naive UTC), with `events` (kind, title,
    summary, when) and, if given, withdrawn."""
    from scrutiny.publication.models import Publication, PublicationEvent

    with app.app_context():
        group = get_group_by_slug(group_slug)
        db.session.add(Publication(topic_group=group, published_at=at, withdrawn_at=withdrawn_at,
                                   withdrawal_reason=reason, updated_at=withdrawn_at or at))
        for kind, title, summary, when in events:
            db.session.add(PublicationEvent(topic_group=group, kind=kind, title=title, summary=summary,
                                            happened_at=when))
        db.session.commit()


def make_group(app, slug: str, title: str, *, scope: str = "", themes: tuple[str, ...] = ()) -> str:
    """A bare topic group of its own (no members), for lists of many groups."""
    from scrutiny.groups.models import Theme, TopicGroup

    with app.app_context():
        db.session.add(TopicGroup(slug=slug, title=title, scope=scope,
                                  themes=[Theme(name=t, position=n) for n, t in enumerate(themes)]))
        db.session.commit()
        return slug
