"""What stops the group's conclusions being compiled, shared by the
evidence map page and the report build.

Each check takes the group, and optionally the findings or recommendations
already loaded (the evidence map loads them once, with what it needs)."""
from __future__ import annotations

from scrutiny.evidence.models import SubmissionStatus
from scrutiny.findings.models import Finding, FindingEvidence, Recommendation
from scrutiny.groups.models import TopicGroup


def findings_without_evidence(group: TopicGroup, findings: list[Finding] | None = None) -> list[Finding]:
    return [f for f in (group.findings if findings is None else findings) if not f.evidence_links]


def recommendations_without_addressee(group: TopicGroup,
                                      recommendations: list[Recommendation] | None = None) -> list[Recommendation]:
    return [r for r in (group.recommendations if recommendations is None else recommendations) if not r.addressees]


def recommendations_without_finding(group: TopicGroup,
                                    recommendations: list[Recommendation] | None = None) -> list[Recommendation]:
    return [r for r in (group.recommendations if recommendations is None else recommendations) if not r.findings]


def links_to_unaccepted_evidence(group: TopicGroup,
                                 findings: list[Finding] | None = None) -> list[FindingEvidence]:
    """Links to evidence withdrawn or set aside since the finding cited it."""
    return [link for f in (group.findings if findings is None else findings) for link in f.evidence_links
            if link.submission.status != SubmissionStatus.ACCEPTED]


def blocking(group: TopicGroup, findings: list[Finding] | None = None,
             recommendations: list[Recommendation] | None = None) -> bool:
    """True while the report cannot be built."""
    return bool(findings_without_evidence(group, findings) or recommendations_without_addressee(group, recommendations))
