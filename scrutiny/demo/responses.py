"""A case's letters as sent, the responses that came back and the group's
monitoring of them, on the case's own timeline (TOML local date-times, the
council's clock).

Everything goes through the rules the app itself applies where it can (the
due dates by kind of organisation, the reply rules on the day the response
came, the judgement scale), so a case file that could not have happened is
refused rather than loaded. Nothing is e-mailed: the letters' e-mails and
reminders belong to the case's past, so none is recorded or queued, and the
reminders are marked as sent for their dates so no worker sends them now.
"""
from __future__ import annotations

import io
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from scrutiny.auth.models import User
from scrutiny.clock import local_to_utc
from scrutiny.demo.files import simple_pdf
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.organisations.models import Organisation
from scrutiny.responses import judgements, progress, references, replies, sending, services
from scrutiny.responses.models import (
    ExtensionRequest, RecommendationResponse, ResponseAction,
    ResponseRequest, ReviewPoint)
from scrutiny.storage import storage
from scrutiny.uploads import check_upload


class CaseError(ValueError):
    """The case file describes something the app would have refused."""


def _at(value: datetime | None) -> datetime | None:
    return local_to_utc(value.date(), value.time()) if value else None


def load(case: dict, group: TopicGroup, orgs: dict[str, Organisation], people: dict[str, User],
         officer: User | None) -> None:
    """The letters sent on the timeline's `letters_sent`, then each response
    received, then the reviews; nothing without `letters_sent`."""
    sent = case.get("timeline", {}).get("letters_sent")
    if sent is None:
        return
    requests = _send(group, officer, sent)
    for row in case.get("responses", {}).get("received", []):
        organisation = orgs[row["organisation"]]
        if organisation.id not in requests:
            raise CaseError(f"No recommendation is addressed to {organisation.name}, so it cannot respond")
        _receive(row, requests[organisation.id], people)
    for row in case.get("monitoring", {}).get("reviews", []):
        _review(row, group, people, officer, sent)
    db.session.commit()


def _send(group: TopicGroup, officer: User | None, sent: datetime) -> dict[int, ResponseRequest]:
    """One first-round request per addressee, as sending the letters makes
    them: to the organisation's contact, due by the date its kind gives (or
    the officer's), the group's tracker code fixed that day. No letter is
    linked: the letters are built on request, after loading."""
    problems = sending.problems(group, [])
    if problems:
        raise CaseError("The letters could not have been sent: " + "; ".join(p.message for p in problems))
    services.prepare(group, on=sent.date())
    references.fix_code(group, sent.date())
    dues = services.dues(group)
    requests = {}
    for organisation in services.addressees(group):
        due = services.current_due(dues.get(organisation.id), organisation.kind)
        request = ResponseRequest(
            topic_group=group, organisation=organisation, round=1, document_id=None,
            to_name=sending.addressed_to(organisation), to_address=(organisation.email or "").strip(),
            sent_at=_at(sent), sent_by=officer, due_on=due, created_at=_at(sent),
            reminded_for_due=due, overdue_notice_for_due=due)
        db.session.add(request)
        requests[organisation.id] = request
    db.session.flush()
    return requests


def _typed(row: dict, request: ResponseRequest) -> list[replies.AnswerInput]:
    numbers = {r.number: r for r in replies.recommendations_for(request)}
    typed = []
    for answer in row.get("answers", []):
        if answer["recommendation"] not in numbers:
            raise CaseError(f"Recommendation {answer['recommendation']} was not sent to {request.organisation.name}")
        typed.append(replies.AnswerInput(
            recommendation_id=numbers[answer["recommendation"]].id, decision=answer.get("decision", ""),
            reason=answer.get("reason", ""), cabinet_member=answer.get("cabinet_member", ""),
            lead_officer=answer.get("lead_officer", ""),
            actions=[replies.ActionInput(description=a["description"], state=a.get("state", "planned"),
                                         owner_role=a["owner_role"], owner_name=a.get("owner_name", ""),
                                         target_date=a.get("target_date"))
                     for a in answer.get("actions", [])]))
    return typed


def _receive(row: dict, request: ResponseRequest, people: dict[str, User]) -> None:
    """An extension first if one was asked, then the response as submitted
    (or entered by an officer, with its original) on its day, then what
    was reported on its actions since."""
    if "extension" in row:
        _extension(row["extension"], request, people)
    submitted = row["submitted_at"]
    entered_by = people.get(row["entered_by"]) if row.get("entered_by") else None
    replies.save_draft(request, _typed(row, request), commit=False)
    key = _store_original(row["original"], request) if row.get("original") else None
    try:
        replies.submit(request, name=row.get("signed_by") or row.get("submitted_by", ""),
                       email=row.get("submitted_by_email", ""), today=submitted.date(), entered_by=entered_by)
    except replies.ReplyError as err:
        if key:
            storage().delete(key)
        raise CaseError(f"The response from {request.organisation.name}: {err}") from None
    request.submitted_at = _at(submitted)
    answers: dict[int, RecommendationResponse] = {a.recommendation.number: a for a in request.answers}
    for spec in row.get("answers", []):
        answer = answers[spec["recommendation"]]
        answer.updated_at = request.submitted_at
        for action_spec, action in zip(spec.get("actions", []), answer.actions, strict=True):
            _progress(action_spec.get("progress", []), action, people)
            _moves(action_spec.get("moved", []), action, people)
    db.session.commit()


def _extension(spec: dict, request: ResponseRequest, people: dict[str, User]) -> None:
    """Asked before the response, and decided; a grant moves the request's due date."""
    decision = spec.get("decision", "granted" if spec.get("granted_due") else "")
    decided_by = people.get(spec["decided_by"]) if spec.get("decided_by") else None
    extension = ExtensionRequest(
        request=request, asked_at=_at(spec["asked_at"]), asked_by_name=spec.get("asked_by", ""),
        reason=spec["reason"], due_before=request.due_on, proposed_due=spec["proposed_due"], decision=decision,
        granted_due=spec.get("granted_due") if decision == "granted" else None,
        decision_note=spec.get("note", ""), decided_by=decided_by, decided_at=_at(spec.get("decided_at")))
    db.session.add(extension)
    if extension.granted_due:
        request.due_on = extension.granted_due


def _who(name: str | None, people: dict[str, User]) -> tuple[User | None, str]:
    """An account named by its e-mail, or a responder known only by name."""
    user = people.get(name or "")
    return user, (user.name if user else (name or ""))


def _progress(rows: list[dict], action: ResponseAction, people: dict[str, User]) -> None:
    """Each update through the progress service (its rules, as on the day it
    was made), which keeps the latest on the action as the tracker reads it."""
    for row in rows:
        user, name = _who(row.get("by"), people)
        day = row["at"].date()
        try:
            update = progress.record_progress(action, row["status"], day, row.get("note", ""), by=user,
                                              name=name, today=day)
        except progress.ProgressError as err:
            raise CaseError(f"Progress on “{action.description[:60]}”: {err}") from None
        update.created_at = _at(row["at"])


def _moves(moves: dict | list[dict], action: ResponseAction, people: dict[str, User]) -> None:
    """The target date moved through the progress service: a reason needed,
    the first date kept as the original."""
    for row in [moves] if isinstance(moves, dict) else moves:
        user, name = _who(row.get("by"), people)
        day = row["at"].date()
        try:
            change = progress.move_date(action, row["to"], row.get("reason", ""), by=user, name=name, today=day)
        except progress.ProgressError as err:
            raise CaseError(f"A moved target date for “{action.description[:60]}”: {err}") from None
        change.changed_at = _at(row["at"])


def _review(row: dict, group: TopicGroup, people: dict[str, User], officer: User | None,
            sent: datetime) -> None:
    """A review point some months after the letters went; held, with the
    group's judgement on each recommendation (the scale's own rules)."""
    due: date = sent.date() + relativedelta(months=row["after_months"])
    point = ReviewPoint(topic_group=group, label=row["label"], due_on=due, reminded_for_due=due,
                        created_by_id=officer.id if officer else None, created_at=_at(sent))
    db.session.add(point)
    if not row.get("held_at"):
        return
    held_by = people[row["held_by"]]
    point.held_at, point.held_by = _at(row["held_at"]), held_by
    numbers = {r.number: r for r in group.recommendations}
    proposals = [judgements.Proposed(numbers[j["recommendation"]], j["value"], j.get("reason", ""))
                 for j in row.get("judgements", [])]
    try:
        made = judgements.record(proposals, held_by, point, commit=False)
    except judgements.JudgementError as err:
        raise CaseError(f"{row['label']}: {err}") from None
    for judgement in made:
        judgement.recorded_at = point.held_at


def _store_original(spec: dict, request: ResponseRequest) -> str:
    """The letter the response came in, as a small real PDF through storage,
    as the demo's evidence files are."""
    content = simple_pdf(spec.get("title", spec["name"]), spec.get("lines", []))
    blob = storage().put_stream(io.BytesIO(content), max_bytes=len(content))
    checked = check_upload(blob.temp_path, spec["name"], max_inflated_bytes=1 << 20)
    key = storage().commit(blob)
    request.original_storage_key, request.original_name = key, checked.safe_name
    request.original_content_type, request.original_size = checked.content_type, blob.size
    request.original_sha256 = blob.sha256
    return key
