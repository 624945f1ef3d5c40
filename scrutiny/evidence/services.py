"""Evidence from the witness's side: drafts, files, submitting."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from scrutiny import outbox
from scrutiny.evidence.models import EvidenceFile, Submission, SubmissionKind, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.invitations import services as invitations
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.locking import lock_row
from scrutiny.outbox.models import Email
from scrutiny.storage import StoredBlob, storage
from scrutiny.uploads import (
    CheckedFile,
    UploadRefused,
    no_room,
    not_saved,
    pdf_page_count,
    store_upload,
    upload_limits,
)

log = logging.getLogger(__name__)

WITNESS_KINDS = (SubmissionKind.WRITTEN, SubmissionKind.DATA, SubmissionKind.PRESENTATION)


class EvidenceError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class UploadOutcome:
    saved: list[EvidenceFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one message per refused file, naming it
    # Files kept as what their content is, not what their name said: "“slides.pdf” is a PowerPoint ..."
    notes: list[str] = field(default_factory=list)


def _check_editable(submission: Submission) -> None:
    if not submission.is_draft:
        raise EvidenceError("This evidence has been submitted and can no longer be changed")
    if not invitations.can_still_edit(submission.invitation):
        raise EvidenceError("The deadline has passed, so this evidence can no longer be changed. "
                            "Contact the scrutiny team if you need more time.")


UNTITLED = "Untitled evidence"


def _untouched(draft: Submission) -> bool:
    return draft.title == UNTITLED and not (draft.summary or draft.body or draft.files)


def create_draft(invitation: Invitation, title: str = "") -> Submission:
    """A new draft, or the witness's untouched one if they have it: pressing
    "Add evidence" again (or forty times) does not pile up empty drafts.
    At most MAX_DRAFTS_PER_INVITATION open drafts, counted with the
    invitation locked so requests at the same moment cannot pass it."""
    if not invitations.can_still_edit(invitation):
        raise EvidenceError("The deadline has passed, so you cannot add evidence. "
                            "Contact the scrutiny team if you need more time.")
    lock_row(Invitation, invitation.id)
    drafts = list(db.session.scalars(select(Submission).where(
        Submission.invitation_id == invitation.id, Submission.status == SubmissionStatus.DRAFT)))
    if not title.strip():
        reusable = next((d for d in drafts if _untouched(d)), None)
        if reusable is not None:
            db.session.commit()  # ends the lock
            return reusable
    limit = current_app.config["MAX_DRAFTS_PER_INVITATION"]
    if len(drafts) >= limit:
        db.session.rollback()
        raise EvidenceError(f"You already have {limit} drafts that are not submitted yet. Open one of them "
                            "from this page, or submit one, before you start another.")
    submission = Submission(topic_group=invitation.topic_group, invitation=invitation,
                            organisation=invitation.organisation, title=title.strip() or UNTITLED,
                            kind=SubmissionKind.WRITTEN, status=SubmissionStatus.DRAFT)
    db.session.add(submission)
    db.session.commit()
    return submission


def save_draft(submission: Submission, *, title: str, summary: str, body: str, kind: str,
               theme_ids: list[int], confidential: bool) -> None:
    _check_editable(submission)
    if not title.strip():
        raise EvidenceError("Enter a title for your evidence", "title")
    if kind not in WITNESS_KINDS:
        raise EvidenceError("Choose what kind of evidence this is", "kind")
    themes = [t for t in submission.topic_group.themes if t.id in set(theme_ids)]
    submission.title, submission.summary, submission.body = title.strip(), summary.strip(), body.strip()
    submission.kind, submission.themes, submission.confidential = kind, themes, confidential
    # A presentation belongs to the session where the witness presents it (the
    # next one, for a witness at several: Invitation.presentation_session).
    submission.session = (submission.invitation.presentation_session(invitations.utcnow())
                          if kind == SubmissionKind.PRESENTATION else None)
    db.session.commit()


def _too_many(name: str) -> str:
    return (f"“{name}” was not added: a piece of evidence can have at most "
            f"{current_app.config['MAX_FILES_PER_SUBMISSION']} files")


def _file_record(submission: Submission, key: str, blob: StoredBlob, checked: CheckedFile, *,
                 confidential: bool) -> EvidenceFile:
    return EvidenceFile(submission=submission, storage_key=key, original_name=checked.safe_name,
                        content_type=checked.content_type, category=checked.category, size=blob.size,
                        sha256=blob.sha256, confidential=confidential, page_count=checked.page_count,
                        named_as=checked.named_as)


def _file_count(submission: Submission) -> int:
    return db.session.scalar(select(func.count()).select_from(EvidenceFile)
                             .where(EvidenceFile.submission_id == submission.id))


def add_files(submission: Submission, uploads, *, confidential: bool) -> UploadOutcome:
    """Store each good file; refuse each bad one with its own message. A
    refusal leaves nothing in storage and does not stop the other files."""
    _check_editable(submission)
    checked = check_files(uploads, room=current_app.config["MAX_FILES_PER_SUBMISSION"] - len(submission.files))
    outcome = UploadOutcome(refused=checked.refused)
    limit = current_app.config["MAX_FILES_PER_SUBMISSION"]
    try:
        while checked.pending:
            blob, file = checked.pending.pop(0)
            # Counted again with the draft locked until this file's row is
            # committed: uploads to one draft at the same moment all checked
            # for room above, but only one at a time can take the last place.
            lock_row(Submission, submission.id)
            if _file_count(submission) >= limit:
                db.session.rollback()
                storage().discard(blob)
                outcome.refused.append(_too_many(file.safe_name))
                continue
            # The file goes into place first, then its row: a failure after the
            # move deletes the file, so storage never holds what the data forgets.
            try:
                key = storage().commit(blob)
            except OSError as exc:  # its folder could not be made on a full disk
                db.session.rollback()
                storage().discard(blob)
                if not no_room(exc):
                    raise
                outcome.refused.append(str(not_saved(file.safe_name)))
                continue
            record = _file_record(submission, key, blob, file, confidential=confidential)
            try:
                db.session.add(record)
                db.session.commit()
            except Exception:
                db.session.rollback()
                storage().delete(key)
                raise
            outcome.saved.append(record)
            if file.stored_as_note:
                outcome.notes.append(file.stored_as_note)
            if key in checked.cleaned:
                outcome.notes.append(checked.cleaned[key])
    finally:
        checked.discard()
    return outcome


@dataclass
class CheckedUploads:
    """Files checked but not yet kept: each one pending in storage."""

    pending: list[tuple[StoredBlob, CheckedFile]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one message per refused file, naming it
    # What was taken out of a PDF before keeping it, for the witness: pending key -> note.
    cleaned: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [checked.safe_name for _, checked in self.pending]

    def discard(self) -> None:
        for blob, _ in self.pending:
            storage().discard(blob)
        self.pending = []


def check_files(uploads, room: int | None = None) -> CheckedUploads:
    """Every file through the witnesses' checks, none kept yet (`room`: how
    many more the submission may hold). Evidence recorded all at once is
    then stored whole or not at all; a witness's draft keeps each good file."""
    outcome = CheckedUploads()
    room = current_app.config["MAX_FILES_PER_SUBMISSION"] if room is None else room
    for stream, name in uploads:
        if not name:
            continue
        if room <= 0:
            outcome.refused.append(_too_many(name))
            continue
        try:
            blob, file = store_upload(stream, name, **upload_limits())
        except UploadRefused as refusal:
            outcome.refused.append(str(refusal))
            continue
        outcome.pending.append((blob, file))
        if file.cleaned_note:
            outcome.cleaned[blob.key] = file.cleaned_note
        room -= 1
    return outcome


def commit_with_files(submission: Submission, checked: CheckedUploads, *, confidential: bool) -> None:
    """Commit the session with the submission and its checked files, all or
    nothing: if anything fails, the rows are rolled back and no file stays."""
    kept = []
    try:
        for blob, file in checked.pending:
            kept.append(storage().commit(blob))
            db.session.add(_file_record(submission, blob.key, blob, file, confidential=confidential))
        db.session.commit()
    except Exception:
        db.session.rollback()
        for key in kept:
            storage().delete(key)
        checked.discard()
        raise
    checked.pending = []


def pdf_pages(file: EvidenceFile) -> int | None:
    """Pages of a PDF file, counted at upload. A file stored before counting
    began is counted now, once: the count is kept on the row (saved with the
    caller's commit). None for other files and PDFs that cannot be read."""
    if file.content_type != "application/pdf":
        return None
    if file.page_count is None:
        try:
            with storage().open(file.storage_key) as stream:
                file.page_count = pdf_page_count(stream)
        except OSError:
            return None
    return file.page_count


def remove_file(submission: Submission, file: EvidenceFile) -> None:
    _check_editable(submission)
    key = file.storage_key
    db.session.delete(file)
    db.session.commit()
    storage().delete(key)


def set_file_confidential(submission: Submission, file: EvidenceFile, confidential: bool) -> None:
    _check_editable(submission)
    file.confidential = confidential
    db.session.commit()


NOTICE_NOT_CONFIRMED = "Confirm you have read the privacy and publication notice"


def submit(submission: Submission, *, notice_sha256: str = "") -> Email:
    """Hand the evidence in and queue the acknowledgement listing what arrived.

    A witness submitting through the portal must have confirmed the privacy
    and publication notice: `notice_sha256` is the hash of the text they saw."""
    _check_editable(submission)
    if not (submission.summary or submission.body or submission.files):
        raise EvidenceError("Add a summary, your written evidence or at least one file before you submit", "body")
    if not notice_sha256 and not submission.received_via:
        raise EvidenceError(NOTICE_NOT_CONFIRMED, "notice_confirmed")
    if notice_sha256:
        submission.notice_confirmed_at, submission.notice_sha256 = invitations.utcnow(), notice_sha256
    invitation = submission.invitation
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = invitations.utcnow()
    if invitation.status != InvitationStatus.SUBMITTED:
        invitation.status, invitation.submitted_at = InvitationStatus.SUBMITTED, invitations.utcnow()
    # Rendered when sent, by the invitations' preparer; the outbox sends it after the commit.
    email = outbox.queue(Email(invitation=invitation, kind="acknowledgement", to_address=invitation.contact_email,
                               to_name=invitation.contact_name, submission_id=submission.id))
    db.session.commit()
    return email


def witness_submission(invitation_ids: list[int], public_id: str) -> Submission | None:
    """A submission only if it belongs to one of the witness's invitations."""
    if not invitation_ids:
        return None
    return db.session.scalar(select(Submission).where(
        Submission.public_id == public_id, Submission.invitation_id.in_(invitation_ids)))


def file_of(submission: Submission, public_id: str) -> EvidenceFile | None:
    return next((f for f in submission.files if f.public_id == public_id), None)
