"""The final report of a topic group: what goes in it, and whether it may be built.

``report_context`` gathers everything the report templates read
(``templates/pdf/report.html`` and ``templates/documents/report_page.html``,
both under the name ``report``) as plain JSON values: strings, numbers,
booleans, None, lists and dicts, never ORM objects. The build hashes it
(``json.dumps(ctx, sort_keys=True)``) to decide whether anything changed and
hands it to an RQ job, so it must be the same on every call for the same data.
Only three keys change from one build to the next and are left out of that
hash by the documents service: ``version``, ``built_on`` and ``date``; nothing
else here depends on the version or the day it is built (the cover of a
signed-off report carries the meeting date, never the build date).

The report is the group's own conclusions: its findings, each printed once
in number order as numbered paragraphs ("4.1", "4.2", ...) citing exactly the
evidence linked to it; its recommendations, each naming its addressees and
citing the paragraphs of the findings it rests on; and the report text the
officers wrote (foreword, summary, conclusions, their own sections). Nothing
is written for the group: no foreword typed, no foreword printed. Until the
group signs its conclusions off the report is a draft, and says so.

What is published, and what never is:

- The evidence appendix lists every piece of evidence *accepted* for the
  report and not confidential (the evidence the group considered, as health
  scrutiny reports must summarise), each with the findings that cite it. A
  confidential file is never listed even when its evidence is published.
- Confidential evidence never enters the context: not its title, its
  organisation, its number or a link's note. A finding resting on some says
  only that it also rests on "confidential evidence seen by the group".
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
from sqlalchemy import event, select
from sqlalchemy.orm import Session, defer, selectinload

from scrutiny.branding.services import logo_for_documents
from scrutiny.clock import to_local
from scrutiny.evidence.services import pdf_pages
from scrutiny.evidence.models import EvidenceFile, Submission, SubmissionKind, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.findings import checks
from scrutiny.findings.agreement import signed_off_draft
from scrutiny.findings.models import Finding, Recommendation, SectionKind
from scrutiny.groups.models import TopicGroup
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.sessions.models import EvidenceSession, SessionSlot
from scrutiny.uploads import human_size

EMAIL_RE = re.compile(r"(?:mailto:)?[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_REMOVED = "[e-mail address removed]"
CONFIDENTIAL_SOURCE = "confidential evidence seen by the group"

# Invitations whose witness took part: they agreed, or sent evidence. (A
# witness who presented at a session held is counted too, see _witnesses.)
# Drafts were never sent, and invitations only sent or opened had no answer:
# naming those people in a published report would be wrong.
TOOK_PART = (InvitationStatus.ACCEPTED, InvitationStatus.SUBMITTED)
NEVER_LISTED = (InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN, InvitationStatus.DRAFT)

DATE_FORMAT = "%-d %B %Y"

# Splits a narrative into its paragraphs as scrutiny.markdown renders it.
_block_parser = MarkdownIt("commonmark", {"html": False}).enable("table")
# Top-level blocks that are not numbered: a subheading, a rule.
_UNNUMBERED = ("heading_open", "hr")


# ---- the context ------------------------------------------------------------------


def report_context(group: TopicGroup, *, version: int, built_on: date) -> dict:
    """Everything the final report shows, as plain data (see the module docstring).

    A finding cites the evidence linked to it ("[E3, p. 12]": the third entry
    of the evidence appendix, anchor ``evidence-3``, with the link's note); a
    recommendation cites the numbered paragraphs of the findings it rests on
    (anchors ``paragraph-4-1``...), which the PDF turns into page numbers.
    """
    data = _gather(group)
    kinds = current_app.config["ORGANISATION_KINDS"]

    evidence = [_evidence_entry(number, submission) for number, submission in enumerate(data.published, start=1)]
    refs_by_id = {s.id: n for n, s in enumerate(data.published, start=1)}
    findings = [_finding_entry(f, refs_by_id) for f in group.findings]
    cited_by: dict[int, list[int]] = {}
    for finding in findings:
        for ref in finding["references"]:
            cited_by.setdefault(ref["number"], []).append(finding["number"])
    for entry in evidence:
        entry["cited_by"] = sorted(set(cited_by.get(entry["number"], [])))
    paragraphs = {f["number"]: f["paragraphs"] for f in findings}

    sessions = [_session_entry(number, session) for number, session in enumerate(data.sessions_held, start=1)]
    witnesses, organisations = _witnesses(data, kinds, refs_by_id)
    recommendations = [_recommendation_entry(r, paragraphs) for r in group.recommendations]

    chair = group.chair.name if group.chair else None
    signed_off = signed_off_draft(group)
    settings = group.report_settings
    meeting = settings.meeting_date if settings else None
    sections = _sections(group)
    return {
        "council_name": current_app.config["COUNCIL_NAME"],
        "title": group.title,
        # Until the members agree the draft and the chair signs it off, every
        # page says DRAFT and so does the title (the PDF's metadata too).
        "draft": signed_off is None,
        "document_title": group.title if signed_off else f"{group.title} (draft)",
        "signed_off": _signed_off_entry(signed_off),
        "committee": clean(settings.committee) if settings else "",
        "meeting_date": meeting.isoformat() if meeting else None,
        "meeting_date_text": meeting.strftime(DATE_FORMAT) if meeting else None,
        "reference": clean(settings.reference) if settings else "",
        # The council's logo on the cover: {"src": data URI, "alt": ...} once
        # an administrator has uploaded one (wired by branding).
        "logo": logo_for_documents(),
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
        "scope": clean(group.scope),  # Markdown: templates render it with the `markdown` filter
        "themes": [t.name for t in group.themes],
        "lines_of_enquiry": [clean(line.text) for line in group.lines_of_enquiry],
        # The officers' text, Markdown; None when not written (nothing is
        # written for them). The foreword is signed by the chair.
        "foreword": sections["foreword"],
        "summary": sections["summary"],
        "conclusions": sections["conclusions"],
        "sections": sections["custom"],
        "sessions": sessions,
        "witnesses": witnesses,
        "organisations": organisations,
        "community_engagement": _community_engagement(data, evidence),
        "evidence": evidence,
        "findings": findings,
        "recommendations": recommendations,
        "presentations": _presentations(data, refs_by_id),
        "counts": {
            "sessions": len(sessions),
            "witnesses": len(witnesses),
            "organisations": len(organisations),
            "evidence": len(evidence),
            "findings": len(findings),
            "recommendations": len(recommendations),
        },
    }


# ---- what stops the build ---------------------------------------------------------------


def report_problems(group: TopicGroup) -> list[str]:
    """What the report still lacks, for the officer to add before it is built.

    The group's conclusions must hold together: every finding rests on
    evidence that may be published (or on confidential evidence), and every
    recommendation names who it is addressed to; the evidence map page shows
    both. And health scrutiny reports must include an explanation of the
    matter reviewed, a summary of the evidence considered, a list of the
    participants and an explanation of each recommendation (Health Scrutiny
    Regulations 2013, reg. 22(6)). An empty list means the report is ready.
    """
    data = _gather(group)
    problems = []
    evidence_map = f"/groups/{group.slug}/evidence-map"
    for finding in checks.findings_without_evidence(group):
        problems.append(f"Finding {finding.number} cites no evidence: link the evidence it rests on "
                        f"on the evidence map ({evidence_map})")
    published = {s.id for s in data.published}
    for finding in group.findings:
        for link in finding.evidence_links:
            submission = link.submission
            if not submission.confidential and submission.id not in published:
                problems.append(f"Finding {finding.number} rests on “{submission.title}”, which is not accepted "
                                "for the report: accept it in the evidence library, or remove the link on the "
                                f"evidence map ({evidence_map})")
    for recommendation in checks.recommendations_without_addressee(group):
        problems.append(f"Recommendation {recommendation.number} has no addressee: choose the organisations it is "
                        f"addressed to on the evidence map ({evidence_map})")

    if not (group.scope or "").strip():
        problems.append("The report does not explain the matter reviewed: write the scope and terms of "
                        "reference on the topic group's edit page")
    if not any((s.summary or "").strip() or (s.officer_summary or "").strip() for s in data.published):
        problems.append("The report has no summary of the evidence considered: accept at least one piece of "
                        "evidence that is not confidential and has a summary (or write an officer summary "
                        "for it) in the evidence library")
    if not _has_participants(data):
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


_CACHE_KEY = "scrutiny.report.gathered"


def _gather(group: TopicGroup) -> _Data:
    """Each kind of record in one query, whatever the size of the group.

    A build request checks the report (report_problems) and then hashes its
    context (report_context): the second call reuses what the first read, as
    long as the session has neither written nor holds unwritten changes since
    (any flush, commit or rollback forgets it)."""
    session = db.session()
    cached = session.info.get(_CACHE_KEY)
    if cached is not None and cached[0] == group.id and not (session.new or session.dirty or session.deleted):
        return cached[1]
    # Long texts the report never prints (evidence bodies, questions, agendas) stay in the database.
    invitations = list(db.session.scalars(
        select(Invitation).where(Invitation.topic_group_id == group.id)
        .options(defer(Invitation.questions))
        .order_by(Invitation.id)))
    sessions = list(db.session.scalars(
        select(EvidenceSession).where(EvidenceSession.topic_group_id == group.id)
        .options(defer(EvidenceSession.agenda),
                 selectinload(EvidenceSession.slots).selectinload(SessionSlot.invitation))
        .order_by(EvidenceSession.starts_at, EvidenceSession.id)))
    published = list(db.session.scalars(
        select(Submission).where(
            Submission.topic_group_id == group.id,
            Submission.status == SubmissionStatus.ACCEPTED,
            Submission.confidential.is_(False))
        .options(defer(Submission.body), selectinload(Submission.session), selectinload(Submission.invitation),
                 selectinload(Submission.files), selectinload(Submission.themes))
        .order_by(Submission.id)))
    data = _Data(invitations=invitations, sessions=sessions,
                 sessions_held=[s for s in sessions if _was_held(s)], published=published)
    session.info[_CACHE_KEY] = (group.id, data)
    return data


def _forget(session: Session, *args) -> None:
    session.info.pop(_CACHE_KEY, None)


# Valid within one transaction only: a new one may see other processes' writes.
for _name in ("after_begin", "after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, _forget)


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


# ---- the report's text ---------------------------------------------------------------


def _signed_off_entry(draft) -> dict | None:
    if draft is None:
        return None
    on = to_local(draft.signed_off_at).date() if draft.signed_off_at else None
    return {"draft_number": draft.number, "on": on.isoformat() if on else None,
            "on_text": on.strftime(DATE_FORMAT) if on else None}


def _sections(group: TopicGroup) -> dict:
    """The foreword, summary and conclusions (the first of each kind that has
    text), and the custom sections in their order. Blank ones are left out:
    the report never prints a heading over nothing."""
    found: dict = {"foreword": None, "summary": None, "conclusions": None, "custom": []}
    chair = group.chair.name if group.chair else None
    for section in group.report_sections:
        body = clean(section.body)
        if not body:
            continue
        kind = section.kind if section.kind in set(SectionKind) else SectionKind.CUSTOM
        if kind == SectionKind.CUSTOM:
            number = len(found["custom"]) + 1
            found["custom"].append({"anchor": f"section-{number}", "heading": clean(section.heading),
                                    "body": body})
        elif found[kind] is None:
            entry = {"anchor": str(kind), "heading": clean(section.title) or SectionKind(kind).label, "body": body}
            if kind == SectionKind.FOREWORD:
                entry["signature"] = chair
                entry["signature_role"] = f"Chair of the {group.title} topic group" if chair else None
            found[kind] = entry
    return found


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
            "name": clean(slot.invitation.contact_name),
            "role": clean(slot.invitation.contact_role),
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
        "title": clean(submission.title),
        "organisation": submission.organisation.name if submission.organisation else None,
        "kind": submission.kind,
        "kind_label": submission.kind_label,
        "summary": clean(submission.summary),
        "officer_summary": clean(submission.officer_summary),
        "themes": [t.name for t in submission.themes],
        "session": session.title if session else None,
        "session_date_text": to_local(session.starts_at).strftime(DATE_FORMAT) if session else None,
    }


def _finding_entry(finding: Finding, refs_by_id: dict[int, int]) -> dict:
    """A finding as printed: its paragraphs numbered "4.1", "4.2"..., and
    exactly the evidence linked to it, in the order the officer linked it.

    A link to confidential evidence is shown only as "confidential evidence
    seen by the group": nothing of it (title, number, note) is read here. A
    link to evidence not accepted for the report stops the build
    (report_problems), so it is left out here."""
    references, confidential = [], False
    for link in finding.evidence_links:
        if link.submission.confidential:
            confidential = True
            continue
        number = refs_by_id.get(link.submission_id)
        if number is None:
            continue
        note = clean(link.note)
        references.append({"number": number, "ref": f"E{number}", "anchor": f"evidence-{number}", "note": note,
                           "text": f"[E{number}, {note}]" if note else f"[E{number}]"})
    return {
        "number": finding.number,
        "anchor": f"finding-{finding.number}",
        "title": clean(finding.title),
        "themes": [t.name for t in finding.themes],
        "paragraphs": _paragraphs(finding.number, clean(finding.text)),
        "references": references,
        "confidential_evidence": confidential,
    }


def _paragraphs(number: int, markdown: str) -> list[dict]:
    """The narrative's top-level blocks, each as its own Markdown source, so
    templates render each with the `markdown` filter (and its sanitising).
    Paragraphs, lists, quotations and tables are numbered "4.1", "4.2"...;
    a subheading or a rule is not."""
    lines = markdown.splitlines()
    blocks, count = [], 0
    for token in _block_parser.parse(markdown):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        source = "\n".join(lines[token.map[0]:token.map[1]]).strip()
        if not source:
            continue
        if token.type in _UNNUMBERED:
            blocks.append({"number": None, "anchor": None, "markdown": source})
            continue
        count += 1
        blocks.append({"number": f"{number}.{count}", "anchor": f"paragraph-{number}-{count}", "markdown": source})
    return blocks


def _recommendation_entry(recommendation: Recommendation, paragraphs: dict[int, list[dict]]) -> dict:
    """A recommendation with every organisation it is addressed to (a label
    such as "All health services" stands beside them, never instead), and the
    paragraphs of the findings it rests on: "paragraphs 4.1–4.3"."""
    rests_on = []
    for finding in recommendation.findings:
        numbered = [p for p in paragraphs.get(finding.number, []) if p["number"]]
        if not numbered:
            continue
        first, last = numbered[0], numbered[-1]
        rests_on.append({
            "finding": finding.number,
            "first": first["number"], "last": last["number"], "anchor": first["anchor"],
            "text": f"paragraph {first['number']}" if first is last
            else f"paragraphs {first['number']}–{last['number']}",
        })
    names = [o.name for o in recommendation.addressees]
    label = clean(recommendation.addressed_to)
    if label.casefold() in {", ".join(names).casefold(), *(n.casefold() for n in names)}:
        label = ""  # it would only repeat the organisation's name
    return {
        "number": recommendation.number,
        "anchor": f"recommendation-{recommendation.number}",
        "text": clean(recommendation.text),
        "explanation": clean(recommendation.explanation),
        # A label printed beside the organisations, never instead of them.
        "addressed_to": label,
        "addressees": names,
        "measure": clean(recommendation.measure),
        "timescale": clean(recommendation.timescale),
        "findings": [f.number for f in recommendation.findings],
        "rests_on": rests_on,
    }


def _witnesses(data: _Data, kinds: dict[str, str], refs_by_id: dict[int, int]) -> tuple[list[dict], list[dict]]:
    """The people who gave evidence and the organisations that took part.

    A witness is the contact of an invitation that was accepted or answered
    with evidence, or who presented at a session held (and did not decline
    or withdraw), named with their role where the invitation records one.
    An organisation takes part through such a witness or through accepted,
    non-confidential evidence of its own.
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
        name, role = clean(invitation.contact_name), clean(invitation.contact_role)
        witnesses.append({"name": name, "role": role, "organisation": invitation.organisation.name,
                          "sessions": sessions})
        org = org_entry(invitation.organisation)
        named = f"{name} ({role})" if role else name
        if named not in org["witnesses"]:
            org["witnesses"].append(named)
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


def _has_participants(data: _Data) -> bool:
    """Whether _witnesses would list anyone, without building the lists."""
    return (any(s.organisation_id is not None for s in data.published)
            or any(i.status in TOOK_PART for i in data.invitations)
            or any(slot.attended is not False and slot.invitation.status not in NEVER_LISTED
                   for session in data.sessions_held for slot in session.slots))


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
        witness = submission.invitation
        entries.append({
            "number": len(entries) + 1,
            "anchor": f"presentation-{len(entries) + 1}",
            "title": clean(submission.title),
            "organisation": submission.organisation.name if submission.organisation else None,
            "witness": clean(witness.contact_name) if witness else None,
            "witness_role": clean(witness.contact_role) if witness else "",
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
    """Pages of a PDF presentation, as counted at upload (older files are
    counted once); None for other files or a file that cannot be read."""
    return pdf_pages(f) if _is_pdf(f) else None


# ---- text -------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """Free text as published (report, letters, agendas): trimmed, with
    anything like an e-mail address removed. (No "@", no address: most
    texts skip the regular expression.)"""
    text = (text or "").strip()
    return EMAIL_RE.sub(EMAIL_REMOVED, text) if "@" in text else text

