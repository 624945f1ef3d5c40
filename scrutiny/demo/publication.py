"""A case's public page as it stood: its accepted evidence that is not
confidential cleared for publication as it is, the report published and then
the responses, on the dates of the case's `[timeline.publication]`, with the
public updates those steps and its held reviews leave.

The report is published directly (without the check that its PDF was
built): the PDFs are built on request after loading, and the loader writes
the rest of the case's history directly too.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.clock import local_to_utc
from scrutiny.evidence.models import EvidenceFile
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.publication import cleared, services
from scrutiny.publication.models import Clearance, Decision, EventKind
from scrutiny.responses.models import ReviewPoint


def _at(value: datetime) -> datetime:
    return local_to_utc(value.date(), value.time())


def clear_all(group: TopicGroup, by: User | None, at: datetime) -> None:
    """Every item and file still waiting, cleared to publish as it is
    (confidential ones never wait: cleared.py never lets them out)."""
    for waiting in cleared.uncleared(group):
        is_file = isinstance(waiting, EvidenceFile)
        db.session.add(Clearance(topic_group=group, decision=Decision.PUBLISH, decided_by=by, decided_at=at,
                                 submission=None if is_file else waiting, evidence_file=waiting if is_file else None))
    db.session.flush()


def load(case: dict, group: TopicGroup, people: dict[str, User]) -> None:
    spec = case.get("timeline", {}).get("publication")
    if not spec:
        return
    by = people.get(spec.get("published_by", ""))
    published = _at(spec["report_published"])
    clear_all(group, by, published)
    services.publish(group, by, published, check=False, tell=False)
    if spec.get("responses_published"):
        services.publish_responses(group, by, _at(spec["responses_published"]), tell=False)
    held = db.session.scalars(select(ReviewPoint).where(ReviewPoint.topic_group_id == group.id,
                                                        ReviewPoint.held_at.is_not(None))
                              .order_by(ReviewPoint.held_at))
    for point in held:
        services.record_event(group, EventKind.MONITORING, f"{point.label}: judgements recorded",
                              services.MONITORING_SUMMARY, at=point.held_at)
    db.session.commit()
