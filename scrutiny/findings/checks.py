"""What stops the group's conclusions being compiled, shared by the
evidence map page and the report build."""
from __future__ import annotations

from scrutiny.findings.models import Finding, Recommendation
from scrutiny.groups.models import TopicGroup


def findings_without_evidence(group: TopicGroup) -> list[Finding]:
    return [f for f in group.findings if not f.evidence_links]


def recommendations_without_addressee(group: TopicGroup) -> list[Recommendation]:
    return [r for r in group.recommendations if not r.addressees]


def recommendations_without_finding(group: TopicGroup) -> list[Recommendation]:
    return [r for r in group.recommendations if not r.findings]
