"""The responses to a group's recommendations, as one tagged PDF published
beside the report: each recommendation in number order with its stable
reference ("2026-27/EHI/R3"), then what each organisation it is addressed to
answered.

``responses_context`` gives ``templates/pdf/responses.html`` (under the name
``responses``) plain JSON values, never ORM objects, the same on every call
for the same data: the build hashes it to decide whether anything changed.
Only ``version``, ``built_on`` and ``date`` differ from one build to the next
and are left out of that hash (documents.services.hashable).

What is printed, and what never is:

- Only submitted responses. A draft (saved but not submitted) is the
  organisation's own until it submits it: that organisation shows as "No
  response received", with the date its response is due.
- Every round: where the group found a response inadequate and asked for a
  further one, the first response stays, followed by the group's reason,
  then the further response (or that none has been received yet).
- Who submitted a response and when, as the organisation gave its name; a
  response received by letter or e-mail says an officer entered it, without
  naming the officer. Nobody's e-mail address or phone number is read into
  the context, and free text has anything that looks like an address
  removed (documents.report.clean), as the report's does.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from scrutiny.branding.services import logo_for_documents
from scrutiny.clock import to_local
from scrutiny.documents.report import clean
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.groups.models import TopicGroup
from scrutiny.organisations.models import Organisation
from scrutiny.organisations.services import kind_label
from scrutiny.responses import services as responses
from scrutiny.responses.models import ActionState, Decision, RecommendationResponse, ResponseAction, ResponseRequest
from scrutiny.responses.references import reference

DATE_FORMAT = "%-d %B %Y"


def _date_text(day: date | None) -> str | None:
    return day.strftime(DATE_FORMAT) if day else None


def _requests(group: TopicGroup) -> dict[int, list[ResponseRequest]]:
    """Each organisation's requests, first round first, in one query (their
    answers and actions come with them: the models load them eagerly)."""
    found: dict[int, list[ResponseRequest]] = {}
    for request in db.session.scalars(select(ResponseRequest).where(ResponseRequest.topic_group_id == group.id)
                                      .order_by(ResponseRequest.organisation_id, ResponseRequest.round)):
        found.setdefault(request.organisation_id, []).append(request)
    return found


# ---- what stops the build ------------------------------------------------------------


def responses_problems(group: TopicGroup) -> list[str]:
    """Nothing to publish until at least one organisation has responded."""
    submitted = db.session.scalar(select(ResponseRequest.id).where(
        ResponseRequest.topic_group_id == group.id, ResponseRequest.submitted_at.is_not(None)).limit(1))
    if submitted is None:
        return [f"No organisation has submitted a response yet: the responses can be built into a PDF once one "
                f"has (see the responses page, /groups/{group.slug}/responses)"]
    return []


# ---- the context ---------------------------------------------------------------------


def responses_context(group: TopicGroup, *, version: int, built_on: date) -> dict:
    """Everything the responses PDF shows, as plain data (see the module docstring)."""
    by_organisation = _requests(group)
    dues = responses.dues(group)
    settings = getattr(group, "report_settings", None)
    recommendations = [_recommendation_entry(group, r, by_organisation, dues) for r in group.recommendations]
    organisations = _organisation_summary(group, by_organisation, dues)
    return {
        "council_name": current_app.config["COUNCIL_NAME"],
        "title": group.title,
        "slug": group.slug,
        "reference": clean(settings.reference) if settings else "",
        # The council's logo on the cover, as on the report: {"src": data URI, "alt", "sha256"...}.
        "logo": logo_for_documents(),
        "recommendations": recommendations,
        "organisations": organisations,
        "counts": {
            "recommendations": len(recommendations),
            "organisations": len(organisations),
            "responded": sum(1 for o in organisations if o["responded"]),
        },
        # Left out of the build's input hash (documents.services.hashable).
        "version": version,
        "built_on": built_on.isoformat(),
        "date": built_on.strftime(DATE_FORMAT),
    }


def _organisation_summary(group: TopicGroup, by_organisation: dict[int, list[ResponseRequest]],
                          dues: dict) -> list[dict]:
    """Who was asked to respond, to which recommendations, and whether they have."""
    entries = []
    for organisation in responses.addressees(group):
        requests = by_organisation.get(organisation.id, [])
        submitted = [r for r in requests if r.is_submitted]
        latest = requests[-1] if requests else None
        entries.append({
            "name": organisation.name,
            "kind_label": kind_label(organisation.kind),
            "numbers": [r.number for r in responses.recommendations_for(group, organisation)],
            "responded": bool(submitted),
            "responded_text": _submitted_on(submitted[-1]) if submitted else None,
            "awaiting_further": bool(submitted) and latest is not None and not latest.is_submitted,
            "due_text": _due_text(latest, dues.get(organisation.id)),
        })
    return entries


def _recommendation_entry(group: TopicGroup, recommendation: Recommendation,
                          by_organisation: dict[int, list[ResponseRequest]], dues: dict) -> dict:
    return {
        "number": recommendation.number,
        "reference": reference(group, recommendation),
        "anchor": f"recommendation-{recommendation.number}",
        "text": clean(recommendation.text),
        "organisations": [_organisation_entry(o, recommendation, by_organisation.get(o.id, []), dues)
                          for o in recommendation.addressees],
    }


def _organisation_entry(organisation: Organisation, recommendation: Recommendation,
                        requests: list[ResponseRequest], dues: dict) -> dict:
    """One addressee's answers to one recommendation, round by round."""
    rounds = [_round_entry(request, recommendation) for request in requests]
    if not rounds:  # asked for nothing yet: the letters have not gone
        due = dues.get(organisation.id)
        rounds = [{"round": 1, "label": "First response", "submitted": False, "sent": False,
                   "due_text": _due_text(None, due), "due_on": due.due_on if due is not None else None,
                   "inadequate": None}]
    return {"name": organisation.name, "kind_label": kind_label(organisation.kind), "rounds": rounds,
            "several_rounds": len(rounds) > 1}


def _round_entry(request: ResponseRequest, recommendation: Recommendation) -> dict:
    entry = {
        "round": request.round,
        "label": "First response" if request.round == 1 else f"Further response (round {request.round})",
        "submitted": request.is_submitted,
        "sent": request.sent_at is not None,
        "due_text": _date_text(request.due_on),
        "due_on": request.due_on,  # the dates as dates too, for pages in other languages
        # The group's finding on this round, which asked for the next one.
        "inadequate": {"on_text": to_local(request.inadequate_at).strftime(DATE_FORMAT),
                       "on": request.inadequate_at,
                       "reason": clean(request.inadequate_reason)} if request.inadequate_at else None,
    }
    if not request.is_submitted:  # a draft, if any, is not the organisation's answer yet
        return entry
    answer = next((a for a in request.answers if a.recommendation_id == recommendation.id), None)
    entry.update(_answer_entry(answer))
    entry["submitted_text"] = _submitted_by(request)
    return entry


def _answer_entry(answer: RecommendationResponse | None) -> dict:
    if answer is None or not answer.decision:
        # Submitted before this recommendation was addressed to the organisation.
        return {"answered": False}
    return {
        "answered": True,
        "decision": answer.decision,
        "decision_label": Decision(answer.decision).label,
        "fully_accepted": answer.decision == Decision.ACCEPTED,
        "reason": clean(answer.reason),
        # Executive responses name them; other organisations leave them blank.
        "cabinet_member": clean(answer.cabinet_member),
        "lead_officer": clean(answer.lead_officer),
        "actions": [_action_entry(a) for a in answer.actions],
    }


def _action_entry(action: ResponseAction) -> dict:
    moved = action.date_moved
    return {
        "description": clean(action.description),
        "state": action.state or ActionState.PLANNED.value,
        "state_label": ActionState(action.state).label if action.state else ActionState.PLANNED.label,
        "owner_role": clean(action.owner_role),
        "owner_name": clean(action.owner_name),
        "target_text": _date_text(action.target_date),
        "target_date": action.target_date,
        "date_moved": moved,
        "original_text": _date_text(action.original_target_date) if moved else None,
    }


def _submitted_on(request: ResponseRequest) -> str:
    return to_local(request.submitted_at).strftime(DATE_FORMAT)


def _submitted_by(request: ResponseRequest) -> str:
    """Who gave the response and when; the officer who typed one in from a
    letter stays unnamed (the response is the organisation's, not theirs)."""
    on = _submitted_on(request)
    name = clean(request.submitted_by_name)
    if request.entered_by_id is not None:
        signed = f", signed by {name}" if name else ""
        return f"Received by letter or e-mail{signed}; entered by an officer on {on}"
    return f"Submitted by {name} on {on}" if name else f"Submitted on {on}"


def _due_text(request: ResponseRequest | None, due) -> str | None:
    """The date the latest request is due by, or the date the letters will ask for."""
    if request is not None and request.due_on is not None:
        return _date_text(request.due_on)
    return _date_text(due.due_on) if due is not None else None


def responses_filename(group: TopicGroup, subject: str, version: int) -> str:
    return f"{group.slug}-responses-v{version}.pdf"
