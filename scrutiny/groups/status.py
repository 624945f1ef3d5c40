"""The life of a topic group and the moves allowed between its stages."""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SCOPING = "scoping"
    GATHERING_EVIDENCE = "gathering_evidence"
    DELIBERATING = "deliberating"
    DRAFTING_REPORT = "drafting_report"
    PUBLISHED = "published"
    MONITORING_RESPONSES = "monitoring_responses"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def next_statuses(self) -> tuple[Status, ...]:
        return TRANSITIONS[self]


LABELS = {
    Status.SCOPING: "Scoping",
    Status.GATHERING_EVIDENCE: "Gathering evidence",
    Status.DELIBERATING: "Deliberating",
    Status.DRAFTING_REPORT: "Drafting report",
    Status.PUBLISHED: "Published",
    Status.MONITORING_RESPONSES: "Monitoring responses",
    Status.CLOSED: "Closed",
}

# Forward one stage, or back one stage while the work is still internal
# (more evidence needed, report sent back). Once published a review only
# moves on; a closed review can be reopened for monitoring.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.SCOPING: (Status.GATHERING_EVIDENCE,),
    Status.GATHERING_EVIDENCE: (Status.DELIBERATING, Status.SCOPING),
    Status.DELIBERATING: (Status.DRAFTING_REPORT, Status.GATHERING_EVIDENCE),
    Status.DRAFTING_REPORT: (Status.PUBLISHED, Status.DELIBERATING),
    Status.PUBLISHED: (Status.MONITORING_RESPONSES,),
    Status.MONITORING_RESPONSES: (Status.CLOSED,),
    Status.CLOSED: (Status.MONITORING_RESPONSES,),
}

# GOV.UK tag colours, so a status reads the same on every page.
TAG_CLASSES = {
    Status.SCOPING: "govuk-tag--grey",
    Status.GATHERING_EVIDENCE: "govuk-tag--blue",
    Status.DELIBERATING: "govuk-tag--purple",
    Status.DRAFTING_REPORT: "govuk-tag--yellow",
    Status.PUBLISHED: "govuk-tag--green",
    Status.MONITORING_RESPONSES: "govuk-tag--turquoise",
    Status.CLOSED: "govuk-tag--grey",
}


def can_move(current: Status | str, target: Status | str) -> bool:
    try:
        return Status(target) in TRANSITIONS[Status(current)]
    except ValueError:
        return False
