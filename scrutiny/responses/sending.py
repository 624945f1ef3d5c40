"""Sending the signed-off letters: one response request per addressee, and
an e-mail through the outbox with its response link.

The link is minted when the e-mail goes (`prepare_email`, the outbox's
preparer for these kinds), so it never waits in a queue and the recorded
e-mail keeps the link blanked out; only the link's hash is stored. The
outbox carries no attachments, so the e-mail says the letter is on the
response page, where the responder downloads it.

Which letter each addressee gets is the documents package's to say (it
knows builds and what is out of date): its caller hands the letters in.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from scrutiny import jobs, mail, outbox
from scrutiny.auth.models import User
from scrutiny.clock import today, utcnow
from scrutiny.extensions import db
from scrutiny.findings.agreement import signed_off_draft
from scrutiny.groups.models import TopicGroup
from scrutiny.organisations.models import Organisation
from scrutiny.outbox.jobs import Message, NotSending
from scrutiny.outbox.models import Email
from scrutiny.responses import links, references, reviews, services
from scrutiny.responses.models import ResponseRequest
from scrutiny.responses.replies import answers

log = logging.getLogger(__name__)

REQUEST, NEW_LINK, RECEIPT = "response_request", "response_new_link", "response_receipt"
# The automatic reminders (scrutiny.responses.reminders), each with a fresh link.
REMINDER, OVERDUE = "response_reminder", "response_overdue"
LINK_KINDS = (REQUEST, NEW_LINK, REMINDER, OVERDUE)
SUBJECTS = {
    REQUEST: "Recommendations of the {group} scrutiny review: your response is due by {due}",
    NEW_LINK: "Your new link to respond: {group}",
    REMINDER: "Reminder: your response to the recommendations of {group} is due by {due}",
    OVERDUE: "Your response to the recommendations of {group} was due on {due}",
    RECEIPT: "We have received your response: {group}",
}


@dataclass
class SendProblem:
    """What stops the letters being sent; `organisation_id` when an
    organisation's details must be put right (the page links to them)."""

    message: str
    organisation_id: int | None = None


@dataclass
class Sent:
    created: list[ResponseRequest]
    skipped: list[ResponseRequest]  # sent before: nothing new


class SendError(ValueError):
    def __init__(self, problems: list[SendProblem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def requests_of(group: TopicGroup) -> dict[int, ResponseRequest]:
    """The group's first-round requests, by organisation id."""
    return {r.organisation_id: r for r in db.session.scalars(select(ResponseRequest).where(
        ResponseRequest.topic_group_id == group.id, ResponseRequest.round == 1))}


def addressed_to(organisation: Organisation) -> str:
    return (organisation.contact_name or "").strip() or (organisation.contact_role or "").strip()


def problems(group: TopicGroup, letter_problems: list[str]) -> list[SendProblem]:
    """Everything that stops the letters going: the draft not signed off,
    the letters' own problems (given by the caller: no contact, no due date,
    not built, out of date), an addressee still to be sent with no e-mail address."""
    found = []
    if signed_off_draft(group) is None:
        found.append(SendProblem("The group’s draft report has not been signed off: the chair signs it off "
                                 "on the draft page"))
    found += [SendProblem(p) for p in letter_problems]
    sent = requests_of(group)
    for organisation in services.addressees(group):
        if organisation.id in sent:
            continue
        if not (organisation.email or "").strip():
            found.append(SendProblem(f"{organisation.name} has no e-mail address to send the letter to",
                                     organisation.id))
    return found


def send(group: TopicGroup, letters: dict[int, int], by: User, letter_problems: list[str] = ()) -> Sent:
    """Create a request for each addressee not yet sent, with the letter
    built for it (`letters`: organisation id -> document id), and queue its
    e-mail. Raises SendError, having changed nothing, when anything is missing.
    The caller commits (the e-mails are enqueued after the commit)."""
    found = problems(group, list(letter_problems))
    sent = requests_of(group)
    for organisation in services.addressees(group):
        if organisation.id not in sent and organisation.id not in letters:
            found.append(SendProblem(f"The letter to {organisation.name} has not been built"))
    if found:
        raise SendError(found)
    dues = services.dues(group)
    result = Sent([], [])
    now = utcnow()
    references.fix_code(group, today())
    for organisation in services.addressees(group):
        if organisation.id in sent:
            result.skipped.append(sent[organisation.id])
            continue
        request = ResponseRequest(
            topic_group=group, organisation=organisation, round=1, document_id=letters[organisation.id],
            to_name=addressed_to(organisation), to_address=organisation.email.strip(), sent_at=now, sent_by_id=by.id,
            due_on=services.current_due(dues.get(organisation.id), organisation.kind))
        db.session.add(request)
        db.session.flush()
        queue_link_email(request, REQUEST)
        result.created.append(request)
    if result.created:
        # The council's usual reviews, counted from the day the letters first went.
        reviews.create_defaults(group, today(), by)
    for request in further_unsent(group):
        # The group found a response inadequate: the same letter goes again,
        # asking for the further response by the date the officer gave.
        request.document_id = letters.get(request.organisation_id, request.document_id)
        request.to_name = addressed_to(request.organisation) or request.to_name
        request.to_address = (request.organisation.email or request.to_address).strip()
        request.sent_at, request.sent_by_id = now, by.id
        queue_link_email(request, REQUEST)
        result.created.append(request)
    return result


def further_unsent(group: TopicGroup) -> list[ResponseRequest]:
    """Requests for a further response (round 2 on) not sent yet."""
    return list(db.session.scalars(select(ResponseRequest).where(
        ResponseRequest.topic_group_id == group.id, ResponseRequest.round > 1,
        ResponseRequest.sent_at.is_(None)).order_by(ResponseRequest.id)))


def earlier_round(request: ResponseRequest) -> ResponseRequest | None:
    """The request whose response the group found inadequate, for a further one."""
    if request.round <= 1:
        return None
    return db.session.scalar(select(ResponseRequest).where(
        ResponseRequest.topic_group_id == request.topic_group_id,
        ResponseRequest.organisation_id == request.organisation_id,
        ResponseRequest.round == request.round - 1))


def queue_link_email(request: ResponseRequest, kind: str) -> Email:
    """Record a link e-mail for the outbox; it is written, with a fresh
    link, when the worker sends it. The caller commits."""
    return outbox.queue(Email(kind=kind, to_address=request.to_address, to_name=request.to_name,
                              topic_group_id=request.topic_group_id, response_request_id=request.id))


def request_new_links(address: str) -> int:
    """A fresh response link for each live request sent to this address; the
    caller answers the same whatever the count."""
    live = links.live_requests_to(address)
    for request in live:
        queue_link_email(request, NEW_LINK)
    db.session.commit()
    return len(live)


def _context(request: ResponseRequest, **more) -> dict:
    return {"request": request, "group": request.topic_group, "organisation": request.organisation,
            "recommendations": services.recommendations_for(request.topic_group, request.organisation),
            "council_name": current_app.config["COUNCIL_NAME"], "earlier": earlier_round(request), **more}


def _subject(kind: str, request: ResponseRequest) -> str:
    due = request.due_on.strftime(services.DATE_FORMAT) if request.due_on else ""
    return SUBJECTS[kind].format(group=request.topic_group.title, due=due)


def prepare_email(email: Email) -> Message:
    """The outbox's preparer for link e-mails: written at send time with a
    fresh single-use link, kept with the link blanked out."""
    request = db.session.get(ResponseRequest, email.response_request_id) if email.response_request_id else None
    if request is None or not links.is_live(request):
        raise NotSending("Not sent: the response request is no longer open")
    token = links.issue_token(request)
    link = links.link_url(token)
    subject = _subject(email.kind, request)
    text, html = mail.render(email.kind, subject=subject, **_context(request, link=link))
    return Message(subject, text, html, to_name=request.to_name,
                   kept_text=text.replace(link, "[personal link]"),
                   kept_html=html.replace(link, "#personal-link-removed"),
                   on_failure=lambda: links.forget_token(token),
                   on_sent=(lambda: _schedule_reminders(request.id)) if email.kind == REQUEST else None)


def _schedule_reminders(request_id: int) -> None:
    """The letter went: its reminders are scheduled (by a job named, not
    imported, since the reminders queue these e-mails through this module)."""
    try:
        jobs.enqueue("scrutiny.responses.reminders.schedule_quietly", request_id)
    except RedisError as err:  # the e-mail went; a starting worker queues what falls due
        log.warning("reminders for response request %s not scheduled: %s", request_id, err)


def queue_receipt(request: ResponseRequest) -> Email:
    """The submitter's receipt: each recommendation's decision and actions.
    No link in it, so it is written now. The caller commits."""
    return outbox.queue_email(request.submitted_by_email, RECEIPT, _subject(RECEIPT, request), kind=RECEIPT,
                              to_name=request.submitted_by_name, topic_group=request.topic_group,
                              **_context(request, answers=answers(request)))
