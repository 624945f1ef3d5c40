"""The final report of a topic group: what goes in it, and whether it may be built.

``report_context`` gathers everything the report templates read
(``templates/pdf/report.html`` and ``templates/documents/report_page.html``,
both under the name ``report``) as plain JSON values: strings, numbers,
booleans, None, lists and dicts, never ORM objects. The build hashes it
(``json.dumps(ctx, sort_keys=True)``) to decide whether anything changed and
hands it to an RQ job, so it must be the same on every call for the same data.
Only three keys change from one build to the next and are left out of that
hash by the documents service: ``version``, ``built_on`` and ``date``; nothing
else here depends on the version or the day it is built.

What is published, and what never is:

- Evidence appears only when it is *accepted* for the report and not
  confidential; a confidential file is never listed even when its evidence is
  published. Confidential evidence is not counted, named or referred to.
- Nobody's e-mail address is read into the context (not the witnesses', the
  councillors' or the organisations'); free text typed by users (scope,
  evidence summaries, findings...) has any address that looks like one
  replaced, as a safety net.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scrutiny.clock import to_local
from scrutiny.evidence.models import EvidenceFile, Submission, SubmissionKind, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.findings.models import Finding, Recommendation
from scrutiny.groups.models import TopicGroup
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.sessions.models import EvidenceSession, SessionSlot
from scrutiny.uploads import human_size

EMAIL_RE = re.compile(r"(?:mailto:)?[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_REMOVED = "[e-mail address removed]"

# Invitations whose witness took part: they agreed, or sent evidence. (A
# witness who presented at a session held is counted too, see _witnesses.)
# Drafts were never sent, and invitations only sent or opened had no answer:
# naming those people in a published report would be wrong.
TOOK_PART = (InvitationStatus.ACCEPTED, InvitationStatus.SUBMITTED)
NEVER_LISTED = (InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN, InvitationStatus.DRAFT)

OTHER_FINDINGS = "Other findings"
DATE_FORMAT = "%-d %B %Y"

_plain_parser = MarkdownIt("commonmark")


# ---- the context ------------------------------------------------------------------


def report_context(group: TopicGroup, *, version: int, built_on: date) -> dict:
    """Everything the final report shows, as plain data (see the module docstring).

    Findings rest on evidence by theme: the model has no link from a finding
    to its evidence yet, so each finding refers to the group's accepted,
    non-confidential evidence that shares the finding's theme ("[E3]" is the
    third entry of the evidence appendix, anchor ``evidence-3``). Findings
    with no theme refer to nothing and are listed last, under "Other
    findings".
    """
    data = _gather(group)
    kinds = current_app.config["ORGANISATION_KINDS"]

    evidence = [_evidence_entry(number, submission) for number, submission in enumerate(data.published, start=1)]
    refs_by_id = {s.id: n for n, s in enumerate(data.published, start=1)}
    findings_by_theme, cited_by = _findings_by_theme(group, data, refs_by_id)
    for entry in evidence:
        entry["cited_by"] = cited_by.get(entry["number"], [])

    sessions = [_session_entry(number, session) for number, session in enumerate(data.sessions_held, start=1)]
    witnesses, organisations = _witnesses(data, kinds, refs_by_id)
    recommendations = [_recommendation_entry(r) for r in group.recommendations]

    chair = group.chair.name if group.chair else None
    return {
        "council_name": current_app.config["COUNCIL_NAME"],
        "title": group.title,
        "slug": group.slug,
        "status": group.status,
        "status_label": group.status_label,
        # Left out of the build's input hash (documents.services.hashable).
        "version": version,
        "built_on": built_on.isoformat(),
        "date": built_on.strftime(DATE_FORMAT),
        "chair": chair,
        "members": [m.name for m in group.members if m.id != group.chair_id],
        "lead_officer": group.lead_officer.name if group.lead_officer else None,
        "start_date": group.start_date.isoformat() if group.start_date else None,
        "end_date": group.end_date.isoformat() if group.end_date else None,
        "start_date_text": group.start_date.strftime(DATE_FORMAT) if group.start_date else None,
        "end_date_text": group.end_date.strftime(DATE_FORMAT) if group.end_date else None,
        "scope": _clean(group.scope),  # Markdown: templates render it with the `markdown` filter
        "aim": _first_paragraph(_clean(group.scope)),  # plain text, for the chair's foreword
        "themes": [t.name for t in group.themes],
        "lines_of_enquiry": [_clean(line.text) for line in group.lines_of_enquiry],
        "sessions": sessions,
        "witnesses": witnesses,
        "organisations": organisations,
        "community_engagement": _community_engagement(data, evidence),
        "evidence": evidence,
        "findings_by_theme": findings_by_theme,
        "recommendations": recommendations,
        "presentations": _presentations(data, refs_by_id),
        "counts": {
            "sessions": len(sessions),
            "witnesses": len(witnesses),
            "organisations": len(organisations),
            "evidence": len(evidence),
            "findings": len(group.findings),
            "recommendations": len(recommendations),
        },
    }


# ---- the Health Scrutiny Regulations check ------------------------------------------


def report_problems(group: TopicGroup) -> list[str]:
    """What the report still lacks, for the officer to add before it is built.

    Health scrutiny reports must include an explanation of the matter
    reviewed, a summary of the evidence considered, a list of the
    participants and an explanation of each recommendation (Health Scrutiny
    Regulations 2013, reg. 22(6)). An empty list means the report is ready.
    """
    data = _gather(group)
    problems = []
    if not (group.scope or "").strip():
        problems.append("The report does not explain the matter reviewed: write the scope and terms of "
                        "reference on the topic group's edit page")
    if not any((s.summary or "").strip() or (s.officer_summary or "").strip() for s in data.published):
        problems.append("The report has no summary of the evidence considered: accept at least one piece of "
                        "evidence that is not confidential and has a summary (or write an officer summary "
                        "for it) in the evidence library")
    _, organisations = _witnesses(data, current_app.config["ORGANISATION_KINDS"], {})
    if not organisations:
        problems.append("The report has no list of participants: record the witnesses who took part on the "
                        "invitations page, or the presenters who attended on an evidence session's page")
    for recommendation in group.recommendations:
        if not (recommendation.explanation or "").strip():
            problems.append(f"Recommendation {recommendation.number} has no explanation: add one on the "
                            "recommendations page")
    return problems


# ---- gathering --------------------------------------------------------------------


@dataclass
class _Data:
    invitations: list[Invitation] = field(default_factory=list)
    sessions: list[EvidenceSession] = field(default_factory=list)
    sessions_held: list[EvidenceSession] = field(default_factory=list)
    # Accepted and not confidential, in the order the appendix numbers them.
    published: list[Submission] = field(default_factory=list)


def _gather(group: TopicGroup) -> _Data:
    """Each kind of record in one query, whatever the size of the group."""
    invitations = list(db.session.scalars(
        select(Invitation).where(Invitation.topic_group_id == group.id).order_by(Invitation.id)))
    sessions = list(db.session.scalars(
        select(EvidenceSession).where(EvidenceSession.topic_group_id == group.id)
        .options(selectinload(EvidenceSession.slots).selectinload(SessionSlot.invitation))
        .order_by(EvidenceSession.starts_at, EvidenceSession.id)))
    published = list(db.session.scalars(
        select(Submission).where(
            Submission.topic_group_id == group.id,
            Submission.status == SubmissionStatus.ACCEPTED,
            Submission.confidential.is_(False))
        .options(selectinload(Submission.session), selectinload(Submission.invitation))
        .order_by(Submission.id)))
    return _Data(invitations=invitations, sessions=sessions,
                 sessions_held=[s for s in sessions if _was_held(s)], published=published)


def _was_held(session: EvidenceSession) -> bool:
    """A session counts as held once its minutes or any attendance is recorded.

    Deliberately not "its date has passed": the context must not depend on
    the day it is built (the build's hash leaves the date out).
    """
    return bool((session.minutes or "").strip()) or any(slot.attended is not None for slot in session.slots)


def _presents(slot: SessionSlot) -> bool:
    return slot.invitation.status not in (InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN)


def _public_files(submission: Submission) -> list[EvidenceFile]:
    return [f for f in submission.files if not f.confidential]


# ---- entries -----------------------------------------------------------------------


def _session_entry(number: int, session: EvidenceSession) -> dict:
    starts, ends = to_local(session.starts_at), to_local(session.ends_at)
    return {
        "number": number,
        "anchor": f"session-{number}",
        "title": session.title,
        "date": starts.date().isoformat(),
        "date_text": starts.strftime("%A %-d %B %Y"),
        "time_text": f"{starts:%H:%M} to {ends:%H:%M}",
        "location": session.location or ("Online" if session.online_url else ""),
        # Whether it was also held online; the meeting link itself is not published.
        "online": bool(session.online_url),
        "presenters": [{
            "organisation": slot.invitation.organisation.name,
            "name": _clean(slot.invitation.contact_name),
            "attended": slot.attended,
            "attended_text": {True: "Attended", False: "Did not attend", None: "Not recorded"}[slot.attended],
        } for slot in session.slots if _presents(slot)],
    }


def _evidence_entry(number: int, submission: Submission) -> dict:
    session = submission.session
    return {
        "number": number,
        "ref": f"E{number}",
        "anchor": f"evidence-{number}",
        "title": _clean(submission.title),
        "organisation": submission.organisation.name if submission.organisation else None,
        "kind": submission.kind,
        "kind_label": submission.kind_label,
        "summary": _clean(submission.summary),
        "officer_summary": _clean(submission.officer_summary),
        "themes": [t.name for t in submission.themes],
        "session": session.title if session else None,
        "session_date_text": to_local(session.starts_at).strftime(DATE_FORMAT) if session else None,
    }


def _reference(number: int) -> dict:
    return {"number": number, "ref": f"E{number}", "anchor": f"evidence-{number}"}


def _findings_by_theme(group: TopicGroup, data: _Data, refs_by_id: dict[int, int]):
    """Findings grouped by theme in theme order, "Other findings" last; and
    for each evidence number, the findings that refer to it."""
    evidence_by_theme: dict[int, list[int]] = {}
    for submission in data.published:
        for theme in submission.themes:
            evidence_by_theme.setdefault(theme.id, []).append(refs_by_id[submission.id])
    cited_by: dict[int, list[int]] = {}

    def entry(finding: Finding) -> dict:
        theme = finding.themes[0] if finding.themes else None
        numbers = sorted(evidence_by_theme.get(theme.id, [])) if theme else []
        for n in numbers:
            cited_by.setdefault(n, []).append(finding.number)
        return {"number": finding.number, "anchor": f"finding-{finding.number}", "text": _clean(finding.text),
                "theme": theme.name if theme else None,
                "references": [_reference(n) for n in numbers]}

    groups = []
    for position, theme in enumerate(group.themes, start=1):
        findings = [entry(f) for f in group.findings if f.themes and f.themes[0].id == theme.id]
        if findings:
            groups.append({"theme": theme.name, "anchor": f"theme-{position}", "findings": findings})
    others = [entry(f) for f in group.findings if not f.themes]
    if others:
        groups.append({"theme": None, "heading": OTHER_FINDINGS, "anchor": "theme-other", "findings": others})
    for g in groups:
        g.setdefault("heading", g["theme"])
    return groups, {n: sorted(set(numbers)) for n, numbers in cited_by.items()}


def _recommendation_entry(recommendation: Recommendation) -> dict:
    names = [o.name for o in recommendation.addressees]
    return {
        "number": recommendation.number,
        "anchor": f"recommendation-{recommendation.number}",
        "text": _clean(recommendation.text),
        "explanation": _clean(recommendation.explanation),
        "addressed_to": recommendation.addressed_to or ", ".join(names),
        "addressees": names,
    }


def _witnesses(data: _Data, kinds: dict[str, str], refs_by_id: dict[int, int]) -> tuple[list[dict], list[dict]]:
    """The people who gave evidence and the organisations that took part.

    A witness is the contact of an invitation that was accepted or answered
    with evidence, or who presented at a session held (and did not decline
    or withdraw). An organisation takes part through such a witness or
    through accepted, non-confidential evidence of its own.
    """
    presented: dict[int, list[str]] = {}
    for session in data.sessions_held:
        for slot in session.slots:
            if slot.attended is not False and _presents(slot):
                presented.setdefault(slot.invitation_id, []).append(session.title)

    witnesses, orgs = [], {}

    def org_entry(organisation) -> dict:
        return orgs.setdefault(organisation.id, {
            "name": organisation.name,
            "kind_label": kinds.get(organisation.kind, organisation.kind.replace("_", " ").capitalize()),
            "witnesses": [], "contributions": [],
        })

    for invitation in data.invitations:
        if invitation.status in NEVER_LISTED:
            continue
        if invitation.status not in TOOK_PART and invitation.id not in presented:
            continue
        sessions = presented.get(invitation.id, [])
        witnesses.append({"name": _clean(invitation.contact_name), "organisation": invitation.organisation.name,
                          "sessions": sessions})
        org = org_entry(invitation.organisation)
        if _clean(invitation.contact_name) not in org["witnesses"]:
            org["witnesses"].append(_clean(invitation.contact_name))
        org["contributions"].extend(f"Presented at {title}" for title in sessions)
    # Evidence by kind, each kind once: "Written evidence: E4, E9".
    sent: dict[int, dict[str, list[str]]] = {}
    for submission in data.published:
        if submission.organisation is not None:
            org_entry(submission.organisation)
            number = refs_by_id.get(submission.id)
            sent.setdefault(submission.organisation.id, {}).setdefault(submission.kind_label, []).append(
                f"E{number}" if number else "")
    for org_id, by_kind in sent.items():
        orgs[org_id]["contributions"].extend(
            f"{kind}: {', '.join(refs)}" if all(refs) else kind for kind, refs in by_kind.items())

    witnesses.sort(key=lambda w: (w["organisation"].casefold(), w["name"].casefold()))
    organisations = sorted(orgs.values(), key=lambda o: o["name"].casefold())
    for org in organisations:
        org["witnesses"].sort(key=str.casefold)
    return witnesses, organisations


def _community_engagement(data: _Data, evidence: list[dict]) -> list[dict]:
    """Community engagement, kept simple for now: the data model records no
    engagement of its own (surveys, visits, focus groups) beyond evidence, so
    this lists the published written evidence from voluntary and community
    organisations, and is empty when there is none."""
    by_number = {e["number"]: e for e in evidence}
    return [
        {"ref": by_number[n]["ref"], "anchor": by_number[n]["anchor"], "title": by_number[n]["title"],
         "organisation": by_number[n]["organisation"], "summary": by_number[n]["summary"]}
        for n, s in enumerate(data.published, start=1)
        if s.kind == SubmissionKind.WRITTEN and s.organisation is not None
        and s.organisation.kind == "voluntary_community"
    ]


def _presentations(data: _Data, refs_by_id: dict[int, int]) -> list[dict]:
    """Presentations given: published as their own files beside the report,
    never pasted into it."""
    entries = []
    for submission in data.published:
        if submission.kind != SubmissionKind.PRESENTATION:
            continue
        session = submission.session
        number = refs_by_id[submission.id]
        files = []
        for f in _public_files(submission):
            files.append({
                "name": f.original_name,
                "format": _format_label(f),
                "pages": _pdf_pages(f),
                "size": f.size,
                "size_text": human_size(f.size),
                "sha256": f.sha256,
                "where": f"Published as its own file beside this report: {f.original_name}",
            })
        entries.append({
            "number": len(entries) + 1,
            "anchor": f"presentation-{len(entries) + 1}",
            "title": _clean(submission.title),
            "organisation": submission.organisation.name if submission.organisation else None,
            "witness": _clean(submission.invitation.contact_name) if submission.invitation else None,
            "session": session.title if session else None,
            "session_date_text": to_local(session.starts_at).strftime(DATE_FORMAT) if session else None,
            "evidence_ref": f"E{number}",
            "evidence_anchor": f"evidence-{number}",
            "files": files,
        })
    return entries


def _is_pdf(f: EvidenceFile) -> bool:
    return f.content_type == "application/pdf" or f.original_name.lower().endswith(".pdf")


def _format_label(f: EvidenceFile) -> str:
    if _is_pdf(f):
        return "PDF"
    ext = f.original_name.rsplit(".", 1)[-1].upper() if "." in f.original_name else ""
    return ext or f.content_type


def _pdf_pages(f: EvidenceFile) -> int | None:
    """Pages of a PDF presentation, read from storage; None for other files
    or a file that cannot be read."""
    if not _is_pdf(f):
        return None
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    from scrutiny.storage import storage

    try:
        return len(PdfReader(storage().path(f.storage_key)).pages)
    except (OSError, ValueError, PyPdfError):
        return None


# ---- text -------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    """Free text as published: trimmed, with anything like an e-mail address removed."""
    return EMAIL_RE.sub(EMAIL_REMOVED, (text or "").strip())


def _first_paragraph(markdown: str) -> str:
    """The first paragraph of a Markdown text as plain text (no markup)."""
    tokens = _plain_parser.parse(markdown or "")
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0 and i + 1 < len(tokens):
            parts = []
            for child in tokens[i + 1].children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            return " ".join("".join(parts).split())
    return ""
