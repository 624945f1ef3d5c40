"""An officer enters a response that came by letter or e-mail, on the
organisation's behalf, with the original attached.

It goes through the same reply rules as the responders' portal
(scrutiny.responses.replies) and is submitted whole or not at all: when
anything is wrong nothing is kept, neither the answers (not even as a
draft the responders would then find) nor the file, and every problem is
named by the field it belongs to. The record says who entered it, who
signed the original, and keeps the original file.
"""
from __future__ import annotations

from datetime import date

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.responses import replies
from scrutiny.responses.models import ResponseRequest
from scrutiny.responses.replies import AnswerInput, Problem, ReplyError
from scrutiny.storage import storage
from scrutiny.uploads import UploadRefused, store_upload, upload_limits

SIGNED_BY_FIELD = "signed_by"
ORIGINAL_FIELD = "original"


def enter(request: ResponseRequest, typed: list[AnswerInput], *, signed_by: str, upload, by: User,
          today: date, typing_problems: list[Problem] = ()) -> None:
    """Submit the typed answers as the organisation's response, entered by
    `by`. `upload` is (stream, file name) or None; `typing_problems` are
    what the form could not read (a date that is not a real date), which
    take the place of the service's own words for the same field.
    Raises ReplyError with every problem, in page order, having kept nothing."""
    if request.is_submitted:
        raise ReplyError([Problem("form", "This response has been submitted and can no longer be changed")])
    own: list[Problem] = []
    signed_by = signed_by.strip()
    if not signed_by:
        own.append(Problem(SIGNED_BY_FIELD, "Enter the name of the person who signed the response"))
    elif len(signed_by) > replies.NAME_MAX:
        own.append(Problem(SIGNED_BY_FIELD, f"The name must be {replies.NAME_MAX} characters or fewer"))
    pending = None
    if upload is None or not upload[1]:
        own.append(Problem(ORIGINAL_FIELD, "Choose the letter or e-mail the response came in"))
    else:
        try:
            pending = store_upload(upload[0], upload[1], **upload_limits(), accept=["document", "image"])
        except UploadRefused as refusal:
            own.append(Problem(ORIGINAL_FIELD, str(refusal)))
    try:
        replies.save_draft(request, typed, commit=False)
        found = _merged(replies.problems(request, today), list(typing_problems)) + own
        if found:
            raise ReplyError(found)
        blob, checked = pending
        key = storage().commit(blob)
        try:
            request.original_storage_key, request.original_name = key, checked.safe_name
            request.original_content_type, request.original_size = checked.content_type, blob.size
            request.original_sha256 = blob.sha256
            replies.submit(request, name=signed_by, email="", today=today, entered_by=by)
        except BaseException:
            storage().delete(key)
            raise
    except BaseException:
        db.session.rollback()
        if pending is not None:
            storage().discard(pending[0])
        raise


def _merged(found: list[Problem], typing: list[Problem]) -> list[Problem]:
    """The service's problems, a typing problem replacing the service's for
    the same field (a date typed as 31 2 2027 is "not a real date", not
    "give a target date"), typing problems for other fields in their place."""
    by_field = {p.field: p for p in typing}
    merged, used = [], set()
    for problem in found:
        if problem.field in by_field:
            if problem.field not in used:
                merged.append(by_field[problem.field])
                used.add(problem.field)
        else:
            merged.append(problem)
    merged.extend(p for p in typing if p.field not in used)
    return merged
