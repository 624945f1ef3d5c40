"""What a published review's public pages show, gathered from the features
that own it: the report (documents), the cleared evidence (cleared.py, the
one place that decides it), the organisations' submitted responses (as the
responses PDF gathers them) and the group's latest judgements (responses).

Nothing here reads a person's contact details, and nobody's name is shown
but those the published report itself prints: the responses' signatories
and actions' owners are left to the PDF, the public page says what was
decided and done, by which organisation and when.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from scrutiny.clock import today
from scrutiny.documents import services as documents
from scrutiny.documents.models import Document
from scrutiny.documents.report import clean, report_context
from scrutiny.documents.responses_document import responses_context
from scrutiny.extensions import db
from scrutiny.findings import agreement
from scrutiny.groups.models import TopicGroup
from scrutiny.publication import cleared, services
from scrutiny.publication.models import Publication
from scrutiny.responses import judgements, scale
from scrutiny.responses.models import ResponseRequest


@dataclass
class Found:
    group: TopicGroup
    publication: Publication

    @property
    def withdrawn(self) -> bool:
        return self.publication.withdrawn_at is not None


def find(slug: str) -> Found | None:
    """A review that is, or was, published; None for any other slug (404 alike)."""
    found = db.session.execute(select(TopicGroup, Publication).join(
        Publication, Publication.topic_group_id == TopicGroup.id).where(
        TopicGroup.slug == slug, Publication.published_at.is_not(None))).first()
    return Found(*found) if found else None


def report_document(group: TopicGroup) -> Document | None:
    return services.latest_report(group)


def report_filename(group: TopicGroup, document: Document) -> str:
    return documents.kind_of(document.kind).filename(group, document.subject, document.version)


def has_report_page(group: TopicGroup) -> bool:
    """The web version of the report only while the text stands signed off
    (reopened, the live text is a draft again: the PDF stays what was agreed)."""
    return agreement.signed_off_draft(group) is not None


def report(group: TopicGroup) -> dict:
    document = report_document(group)
    return report_context(group, version=document.version if document else 0, built_on=today())


def _summary(group: TopicGroup) -> str:
    return next((clean(s.body) for s in agreement.ordered_sections(group) if s.kind == "summary"), "")


def _judgement(found, recommendation_id: int) -> dict | None:
    judgement = found.get(recommendation_id)
    if judgement is None:
        return None
    value = scale.get(judgement.value)
    return {"label": value.label if value else judgement.value, "meaning": value.meaning if value else "",
            "tag_class": value.tag_class if value else "govuk-tag--grey", "reason": clean(judgement.reason),
            "on": judgement.recorded_at}


def _submitted_on(group: TopicGroup) -> dict[tuple[str, int], datetime]:
    return {(r.organisation.name, r.round): r.submitted_at for r in db.session.scalars(
        select(ResponseRequest).where(ResponseRequest.topic_group_id == group.id,
                                      ResponseRequest.submitted_at.is_not(None)))}


def recommendations(group: TopicGroup, with_responses: bool) -> list[dict]:
    """Each recommendation, its latest judgement on the council's scale, and
    (once published) each organisation's submitted answers round by round."""
    context = responses_context(group, version=0, built_on=today())
    ids = {r.number: r.id for r in group.recommendations}
    latest = judgements.latest(list(ids.values()))
    submitted = _submitted_on(group) if with_responses else {}
    entries = []
    for entry in context["recommendations"]:
        organisations = []
        for organisation in entry["organisations"] if with_responses else []:
            rounds = [dict(r, submitted_on=submitted.get((organisation["name"], r["round"])))
                      for r in organisation["rounds"]]
            organisations.append({"name": organisation["name"], "kind_label": organisation["kind_label"],
                                  "rounds": rounds, "several_rounds": organisation["several_rounds"]})
        entries.append({"number": entry["number"], "reference": entry["reference"], "anchor": entry["anchor"],
                        "text": entry["text"], "addressees": [o["name"] for o in entry["organisations"]],
                        "judgement": _judgement(latest, ids.get(entry["number"])), "organisations": organisations})
    return entries


def review(found: Found) -> dict:
    group, publication = found.group, found.publication
    with_responses = publication.responses_published_at is not None
    return {
        "title": group.title,
        "slug": group.slug,
        "summary": _summary(group),
        "scope": clean(group.scope),
        "published_at": publication.published_at,
        "responses_published_at": publication.responses_published_at,
        "report": report_document(group),
        "report_page": has_report_page(group),
        "evidence": cleared.public_items(group),
        "recommendations": recommendations(group, with_responses),
        "with_responses": with_responses,
        "events": services.events(group),
    }


def withdrawn(found: Found) -> dict:
    publication = found.publication
    return {"title": found.group.title, "withdrawn_at": publication.withdrawn_at,
            "reason": publication.withdrawal_reason}

