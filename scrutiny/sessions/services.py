"""Evidence sessions: scheduling them, who presents, who came (witnesses and
the group's councillors), the minutes.

Times are typed in the council's own time zone (`TIMEZONE`, British Summer
Time included) and stored as naive UTC, like every other time in the system.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scrutiny import meeting_times
from scrutiny.clock import to_local, utcnow
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.auth.models import User
from scrutiny.sessions.models import AttendanceStatus, EvidenceSession, MemberAttendance, SessionSlot

# A witness who has declined or been withdrawn does not present.
CANNOT_PRESENT = (InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN)
CANNOT_PRESENT_REASONS = {
    InvitationStatus.DECLINED: "they declined the invitation",
    InvitationStatus.WITHDRAWN: "their invitation was withdrawn",
}

MAX_TITLE, MAX_LOCATION, MAX_URL = 200, 300, 500


class SessionError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class SessionDetails:
    """What an officer sets on a session: the day and times as the council's clock reads them."""

    title: str
    day: date | None
    starts: time | None
    ends: time | None
    location: str = ""
    online_url: str = ""
    agenda: str = ""
    # The invitations presenting, in order; None leaves the presenters as they are.
    presenter_ids: list[int] | None = None


# Time zones --------------------------------------------------------------

# Rules -------------------------------------------------------------------

def online_url_problem(url: str) -> str | None:
    """Why an online meeting link is refused, or None when it is fine (blank is fine)."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname or any(c.isspace() for c in url):
        return "Enter an online meeting link that starts with https://"
    if len(url) > MAX_URL:
        return f"The online meeting link must be {MAX_URL} characters or fewer"
    return None


def _check(details: SessionDetails) -> tuple[datetime, datetime]:
    """Raises the first rule broken; returns the start and end in UTC."""
    starts_at, ends_at = meeting_times.checked(details.title, details.day, details.starts, details.ends,
                                               what="session", max_title=MAX_TITLE, error=SessionError)
    if len(details.location.strip()) > MAX_LOCATION:
        raise SessionError(f"The location must be {MAX_LOCATION} characters or fewer", "location")
    if problem := online_url_problem(details.online_url):
        raise SessionError(problem, "online_url")
    return starts_at, ends_at


def presenter_label(invitation: Invitation) -> str:
    return f"{invitation.organisation.name} – {invitation.contact_name}"


def _presenting(group: TopicGroup, invitation_ids: list[int]) -> list[Invitation]:
    """The invitations named, in the order given, once each; refuses any that cannot present."""
    ids = list(dict.fromkeys(invitation_ids))
    if not ids:
        return []
    found = {
        i.id: i for i in db.session.scalars(
            select(Invitation).where(Invitation.id.in_(ids)).options(selectinload(Invitation.slots)))
    }
    invitations = []
    for invitation_id in ids:
        invitation = found.get(invitation_id)
        if invitation is None or invitation.topic_group_id != group.id:
            raise SessionError("Choose witnesses who have been invited to give evidence to this group",
                               "presenters")
        if invitation.status in CANNOT_PRESENT:
            raise SessionError(f"{presenter_label(invitation)} cannot present because "
                               f"{CANNOT_PRESENT_REASONS[invitation.status]}", "presenters")
        invitations.append(invitation)
    return invitations


def _place(session: EvidenceSession, invitations: list[Invitation]) -> None:
    """One slot per invitation at this session: keep the slots that stay (and
    whether they came), add the new ones. A witness's slots at other sessions
    are left alone: a witness may present at several."""
    slots = []
    with db.session.no_autoflush:  # new slots join the session below, with the rest
        kept = {slot.invitation_id: slot for slot in session.slots}
        for position, invitation in enumerate(invitations):
            slot = kept.get(invitation.id) or SessionSlot(invitation=invitation)
            slot.position = position
            slots.append(slot)
        session.slots = slots


# Changes -----------------------------------------------------------------

def save_session(group: TopicGroup, session: EvidenceSession | None, details: SessionDetails) -> EvidenceSession:
    """Create (session=None) or update a session, with its presenters, in one transaction."""
    starts_at, ends_at = _check(details)
    presenters = _presenting(group, details.presenter_ids) if details.presenter_ids is not None else None
    if session is None:
        session = EvidenceSession(topic_group=group)
        db.session.add(session)
    elif session.topic_group_id != group.id:
        raise SessionError("That session belongs to another topic group")
    session.title = details.title.strip()
    session.starts_at, session.ends_at = starts_at, ends_at
    session.location = details.location.strip()
    session.online_url = details.online_url.strip()
    session.agenda = details.agenda.strip()
    if presenters is not None:
        _place(session, presenters)
    db.session.commit()
    return session


def set_presenters(session: EvidenceSession, invitation_ids: list[int]) -> list[SessionSlot]:
    """The witnesses who present at a session, in order, once each."""
    _place(session, _presenting(session.topic_group, invitation_ids))
    db.session.commit()
    return session.slots


def record_attendance(session: EvidenceSession, attendance: dict[int, bool | None]) -> None:
    """Whether each presenter came: True, False, or None for not recorded. Keys are invitation ids."""
    _set_attendance(session, attendance)
    db.session.commit()


def _set_attendance(session: EvidenceSession, attendance: dict[int, bool | None]) -> None:
    slots = {slot.invitation_id: slot for slot in session.slots}
    unknown = [i for i in attendance if i not in slots]
    if unknown:
        raise SessionError("Record attendance only for the witnesses presenting at this session")
    for invitation_id, attended in attendance.items():
        if attended not in (True, False, None):
            raise SessionError("Choose whether the witness attended", f"attended_{invitation_id}")
        slots[invitation_id].attended = attended


def attendance_members(session: EvidenceSession) -> list[User]:
    """The councillors whose attendance is recorded: the group's chair and
    members, then anyone recorded at this session who has since left the group
    (their answer is part of the record of the meeting)."""
    members = session.topic_group.councillors
    current = {m.id for m in members}
    former = sorted((r.user for r in session.member_attendance if r.user_id not in current), key=lambda u: u.name)
    return members + former


def record_member_attendance(session: EvidenceSession, answers: dict[int, str | None]) -> None:
    """Each councillor's attendance (keys are user ids): an AttendanceStatus
    value, or None for not recorded. A new answer replaces the earlier one."""
    _set_member_attendance(session, answers)
    db.session.commit()


def _set_member_attendance(session: EvidenceSession, answers: dict[int, str | None]) -> None:
    members = {m.id: m for m in attendance_members(session)}
    if any(user_id not in members for user_id in answers):
        raise SessionError("Record attendance only for the councillors of this topic group")
    for user_id, status in answers.items():
        if status is not None and status not in {s.value for s in AttendanceStatus}:
            raise SessionError(f"Choose Present, Sent apologies or Absent for {members[user_id].name}",
                               f"member_{user_id}")
    recorded = {r.user_id: r for r in session.member_attendance}
    for user_id, status in answers.items():
        row = recorded.get(user_id)
        if status is None:
            if row is not None:
                session.member_attendance.remove(row)
        elif row is None:
            session.member_attendance.append(MemberAttendance(user=members[user_id], status=status))
        elif row.status != status:
            row.status, row.recorded_at = status, utcnow()


def members_by_attendance(session: EvidenceSession) -> dict[AttendanceStatus, list[User]]:
    """Who was present, who sent apologies and who was absent, in the group's
    order (chair first); only the answers recorded, and only statuses with someone."""
    status = {r.user_id: AttendanceStatus(r.status) for r in session.member_attendance}
    found: dict[AttendanceStatus, list[User]] = {}
    for member in attendance_members(session):
        if member.id in status:
            found.setdefault(status[member.id], []).append(member)
    return {s: found[s] for s in AttendanceStatus if s in found}


def record_meeting(session: EvidenceSession, *, attendance: dict[int, bool | None],
                   members: dict[int, str | None], minutes: str) -> None:
    """The record page's answers together, in one transaction: nothing is kept
    if any of them is refused."""
    _set_member_attendance(session, members)
    _set_attendance(session, attendance)
    _set_minutes(session, minutes)
    db.session.commit()


def save_minutes(session: EvidenceSession, markdown: str) -> None:
    """Keep the minutes on the session, and as evidence of kind "minutes" in
    the library, where they are filtered and searched with the rest."""
    _set_minutes(session, markdown)
    db.session.commit()


def _set_minutes(session: EvidenceSession, markdown: str) -> None:
    from scrutiny.evidence.models import Submission, SubmissionKind, SubmissionStatus

    session.minutes = (markdown or "").strip()
    record = db.session.scalar(select(Submission).where(
        Submission.session_id == session.id, Submission.kind == SubmissionKind.MINUTES))
    if session.minutes and record is None:
        record = Submission(topic_group=session.topic_group, session=session, kind=SubmissionKind.MINUTES,
                            status=SubmissionStatus.ACCEPTED, submitted_at=utcnow())
        db.session.add(record)
    if record is not None and session.minutes:
        record.title = f"Minutes: {session.title}"
        record.summary = f"Minutes of the evidence session held on {to_local(session.starts_at):%-d %B %Y}."
        record.body = session.minutes
    elif record is not None:
        db.session.delete(record)


# Reading -----------------------------------------------------------------

def _with_presenters(query):
    return query.options(
        selectinload(EvidenceSession.slots).selectinload(SessionSlot.invitation))


def get_session(group: TopicGroup, public_id: str) -> EvidenceSession | None:
    """The session with this id, only if it belongs to this group."""
    return db.session.scalar(_with_presenters(
        select(EvidenceSession).where(EvidenceSession.public_id == public_id,
                                      EvidenceSession.topic_group_id == group.id))
        .options(selectinload(EvidenceSession.member_attendance).selectinload(MemberAttendance.user)))


def sessions_for_group(group: TopicGroup) -> list[EvidenceSession]:
    """Soonest first, with their presenters loaded."""
    return list(db.session.scalars(_with_presenters(
        select(EvidenceSession).where(EvidenceSession.topic_group_id == group.id)
        .order_by(EvidenceSession.starts_at, EvidenceSession.id))))


def can_present(invitation: Invitation) -> bool:
    return invitation.status not in CANNOT_PRESENT


def sessions_for_invitation(invitation: Invitation) -> list[EvidenceSession]:
    """The sessions a witness presents at (for the portal). No request needed.

    None once the witness has declined or been withdrawn, even if their slot is still there."""
    if not can_present(invitation):
        return []
    return list(db.session.scalars(_with_presenters(
        select(EvidenceSession).join(SessionSlot, SessionSlot.session_id == EvidenceSession.id)
        .where(SessionSlot.invitation_id == invitation.id)
        .order_by(EvidenceSession.starts_at))))


def presentable_invitations(group: TopicGroup) -> list[Invitation]:
    """The group's invitations that can be given a slot: any not declined or withdrawn."""
    return list(db.session.scalars(
        select(Invitation)
        .where(Invitation.topic_group_id == group.id, Invitation.status.not_in([s.value for s in CANNOT_PRESENT]))
        .options(selectinload(Invitation.slots).selectinload(SessionSlot.session))
        .order_by(Invitation.created_at, Invitation.id)))
