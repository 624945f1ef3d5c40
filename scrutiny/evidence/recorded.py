"""Evidence an officer records for a witness: sent by e-mail or post, or
given orally at an evidence session.

It is stored as submitted, so it goes into the officers' review like
evidence from the portal, and it says who recorded it, how it came and who
gave it. No receipt is e-mailed: the witness did not use the portal, and the
officer who received it answers them in the way it came.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scrutiny.auth.models import User
from scrutiny.clock import utcnow
from scrutiny.evidence import services as evidence
from scrutiny.evidence.models import Submission, SubmissionKind, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.organisations.models import Organisation
from scrutiny.organisations.services import all_organisations

RECEIVED_VIA = {
    "email": "by e-mail",
    "post": "by post",
    "oral": "orally at an evidence session",
    "other": "another way",
}
# Notes officers write after hearing from residents directly
# (scrutiny.community): kind "community", naming no one; not offered on the
# form for witnesses' evidence above.
COMMUNITY_VIA = {
    "discussion": "at a group discussion",
    "conversation": "in a one-to-one conversation",
}
COMMUNITY_GIVEN_BY = "residents"
GIVEN_BY_MAX = 200
# An officer may record evidence from any witness who was sent an invitation,
# including one who declined and then wrote in after all.
INVITED = (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.ACCEPTED, InvitationStatus.DECLINED,
           InvitationStatus.SUBMITTED)


@dataclass
class Received:
    """What the officer typed and chose; choices are row ids, as strings
    from the form (a GOV.UK select lower-cases its values, so never public ids)."""

    received_via: str = ""
    invitation: str = ""
    organisation: str = ""
    given_by: str = ""
    session: str = ""
    kind: str = ""
    title: str = ""
    summary: str = ""
    body: str = ""
    themes: list[str] = field(default_factory=list)
    confidential: bool = False
    files_confidential: bool = False


class NotRecorded(ValueError):
    """Nothing was stored. `errors` maps each field to what is wrong with it;
    `files_checked` names the files that passed, to be chosen again."""

    def __init__(self, errors: dict[str, list[str]], files_checked: list[str] = ()):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors
        self.files_checked = list(files_checked)


def invitations(group: TopicGroup) -> list[Invitation]:
    """The group's witnesses an officer may record evidence for."""
    return sorted((i for i in group.invitations if i.status in INVITED),
                  key=lambda i: (i.organisation.name.casefold(), i.contact_name.casefold()))


def sessions(group: TopicGroup) -> list:
    return list(group.evidence_sessions)


def organisations() -> list[Organisation]:
    return all_organisations()


def _one(items, key: str, wanted: str):
    return next((item for item in items if str(getattr(item, key)) == wanted), None)


def record(group: TopicGroup, received: Received, uploads, *, by: User) -> Submission:
    """Store the evidence, submitted now, with its files; or raise
    NotRecorded with every problem found, having stored nothing."""
    errors: dict[str, list[str]] = {}

    def problem(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    via = received.received_via
    if via not in RECEIVED_VIA:
        problem("received_via", "Choose how the evidence came")
    invitation = organisation = session = None
    if received.invitation:
        invitation = _one(invitations(group), "id", received.invitation)
        if invitation is None:
            problem("invitation", "Choose a witness invited by this topic group, or no invitation")
        else:
            organisation = invitation.organisation
    else:
        if received.organisation:
            organisation = _one(organisations(), "id", received.organisation)
            if organisation is None:
                problem("organisation", "Choose an organisation from the list")
        if not received.given_by.strip():
            problem("given_by", "Enter who gave the evidence, as there is no invitation")
    given_by = received.given_by.strip()
    if len(given_by) > GIVEN_BY_MAX:
        problem("given_by", f"Who gave the evidence must be {GIVEN_BY_MAX} characters or fewer")
    if received.session:
        session = _one(sessions(group), "id", received.session)
        if session is None:
            problem("session", "Choose one of this topic group's evidence sessions")
    elif via == "oral":
        problem("session", "Choose the evidence session where it was given")
    if received.kind not in evidence.WITNESS_KINDS:
        problem("kind", "Choose what kind of evidence this is")
    title = received.title.strip()
    if not title:
        problem("title", "Enter a title for the evidence")
    group_themes = {str(t.id): t for t in group.themes}
    if any(t not in group_themes for t in received.themes):
        problem("themes", "Choose only themes of this topic group")

    checked = evidence.check_files(uploads)
    if not (received.summary.strip() or received.body.strip() or checked.pending or checked.refused):
        problem("body", "Add a summary, the written evidence or at least one file")
    for message in checked.refused:
        problem("files", message)
    if errors:
        names = checked.names
        checked.discard()
        raise NotRecorded(errors, names)

    now = utcnow()
    submission = Submission(
        topic_group=group, invitation=invitation, organisation=organisation, session=session,
        kind=received.kind, title=title, summary=received.summary.strip(), body=received.body.strip(),
        themes=[t for key, t in group_themes.items() if key in received.themes],
        confidential=received.confidential, status=SubmissionStatus.SUBMITTED, submitted_at=now,
        added_by=by, received_via=via, given_by=given_by)
    db.session.add(submission)
    if invitation is not None and invitation.status != InvitationStatus.SUBMITTED:
        # The witness has given evidence: reminders stop chasing them.
        invitation.status, invitation.submitted_at = InvitationStatus.SUBMITTED, now
    evidence.commit_with_files(submission, checked, confidential=received.files_confidential)
    return submission


def record_community_notes(group: TopicGroup, *, via: str, title: str, summary: str, body: str,
                           theme_ids: list[str], by: User) -> Submission:
    """Notes from a group discussion or a one-to-one conversation, as
    evidence of the group, submitted now for the officers' review like any
    evidence they record; or NotRecorded with every problem, having stored
    nothing. The caller commits."""
    errors: dict[str, list[str]] = {}
    if via not in COMMUNITY_VIA:
        errors["via"] = ["Choose where the notes come from"]
    if not title.strip():
        errors["title"] = ["Enter a title for the notes"]
    elif len(title.strip()) > 300:
        errors["title"] = ["The title must be 300 characters or fewer"]
    if not body.strip():
        errors["body"] = ["Enter the notes"]
    group_themes = {str(t.id): t for t in group.themes}
    if any(t not in group_themes for t in theme_ids):
        errors["themes"] = ["Choose only themes of this topic group"]
    if errors:
        raise NotRecorded(errors)
    submission = Submission(
        topic_group=group, kind=SubmissionKind.COMMUNITY, title=title.strip(), summary=summary.strip(),
        body=body.strip(), themes=[t for key, t in group_themes.items() if key in theme_ids],
        status=SubmissionStatus.SUBMITTED, submitted_at=utcnow(), added_by=by, received_via=via,
        given_by=COMMUNITY_GIVEN_BY)
    db.session.add(submission)
    db.session.flush()
    return submission


def given_by(submission: Submission) -> str:
    """Who gave recorded evidence, as the officer typed it, else the
    invited witness, else their organisation."""
    if submission.given_by:
        return submission.given_by
    if submission.invitation is not None:
        return submission.invitation.contact_name
    return submission.organisation.name if submission.organisation else ""


def received_via_label(submission: Submission) -> str:
    return (RECEIVED_VIA.get(submission.received_via) or COMMUNITY_VIA.get(submission.received_via)
            or RECEIVED_VIA["other"])
