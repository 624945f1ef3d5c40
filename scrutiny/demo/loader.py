"""Loads a case file (TOML) into the database: accounts, organisations, a group.

Idempotent: what already exists (matched by e-mail, name or slug) is left as
it is, so officers' edits survive a second `make run`.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from scrutiny.auth import services as accounts
from scrutiny.auth.models import User
from scrutiny.demo import community as demo_community
from scrutiny.demo import publication as demo_publication
from scrutiny.demo import responses as demo_responses
from scrutiny.extensions import db
from scrutiny.findings.models import Finding, FindingEvidence, Recommendation, ReportSection, ReportSettings
from scrutiny.groups import services as groups
from scrutiny.groups.status import Status
from scrutiny.organisations import services as organisations

DEMO_CASE = Path(__file__).with_name("bame_health_inequalities.toml")
DEMO_PASSWORD = "scrutiny-demo"
# The order a group passes through on its way forward, for the demo's history.
FORWARD = list(Status)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    sign_in: list[User] = field(default_factory=list)


def load_case(path: Path = DEMO_CASE, password: str = DEMO_PASSWORD) -> LoadReport:
    case = tomllib.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()
    people = _load_accounts(case.get("accounts", []), password, report)
    orgs = _load_organisations(case.get("organisations", []), report)
    if "group" in case:
        _load_group(case, people, orgs, report)
    return report


def _load_accounts(rows, password, report) -> dict[str, User]:
    people = {}
    for row in rows:
        user = accounts.find_user(row["email"])
        if user is None:
            user = accounts.create_user(row["email"], row["name"], row["role"],
                                        password if row.get("sign_in") else None)
            report.created.append(f"account {user.email}")
        else:
            report.kept.append(f"account {user.email}")
        if row.get("sign_in"):
            report.sign_in.append(user)
        people[user.email] = user
    return people


def _load_organisations(rows, report):
    """Organisations by the name the case file gives them, so the rest of the
    file can name "{council_name}" (the configured council) like any other."""
    orgs = {}
    for row in rows:
        name = _council(row["name"])
        org = organisations.find_by_name(name)
        if org is None:
            org = organisations.save_organisation(
                None, name=name, kind=row["kind"], email=row.get("email"), website=row.get("website"),
                contact_name=row.get("contact_name"), contact_role=row.get("contact_role"),
                postal_address=row.get("postal_address"))
            report.created.append(f"organisation {org.name}")
        else:
            report.kept.append(f"organisation {org.name}")
        orgs[row["name"]] = org
    return orgs


def _council(text: str) -> str:
    """The case file's "{council_name}" is the council this app is configured
    for: the demo's letters and report then name one council throughout."""
    return text.replace("{council_name}", current_app.config["COUNCIL_NAME"])


def _load_group(case, people, orgs, report) -> None:
    spec = case["group"]
    if groups.get_group_by_slug(spec["slug"]) is not None:
        report.kept.append(f"topic group {spec['slug']}")
        return
    officer = people.get(spec.get("lead_officer"))
    group = groups.save_group(None, groups.GroupDetails(
        title=spec["title"],
        scope=spec.get("scope", ""),
        chair=people.get(spec.get("chair")),
        members=[people[e] for e in spec.get("members", [])],
        lead_officer=officer,
        themes=spec.get("themes", []),
        lines_of_enquiry=spec.get("lines_of_enquiry", []),
        start_date=spec.get("start_date"),
        end_date=spec.get("end_date"),
    ))
    if group.slug != spec["slug"]:
        group.slug = spec["slug"]
    themes = {t.name: t for t in group.themes}
    for number, row in enumerate(case.get("findings", []), start=1):
        names = row.get("themes", [row["theme"]] if row.get("theme") else [])
        group.findings.append(Finding(number=number, title=row.get("title", ""), text=_unwrap(row["text"]),
                                      themes=[themes[name] for name in names]))
    findings = {f.number: f for f in group.findings}
    for number, row in enumerate(case.get("recommendations", []), start=1):
        group.recommendations.append(Recommendation(
            number=number, text=row["text"], explanation=row.get("explanation", ""),
            addressed_to=row.get("addressed_to", ""), addressees=[orgs[n] for n in row.get("addressees", [])],
            findings=[findings[n] for n in row.get("findings", [])],
            measure=row.get("measure", ""), timescale=row.get("timescale", ""),
        ))
    _load_report_text(case, group)
    db.session.commit()
    _load_response_dates(case.get("responses"), group, orgs, officer)
    _load_evidence(case, group, orgs, officer)
    _link_evidence(case, group)
    target = Status(spec.get("status", Status.SCOPING))
    for stage in FORWARD[1 : FORWARD.index(target) + 1]:
        groups.change_status(group, stage, officer)
    report.created.append(f"topic group {group.slug}")
    if "agreement" in case:
        _load_agreement(case["agreement"], group, people)
    # Once signed off: the letters sent, the responses and their monitoring.
    demo_responses.load(case, group, orgs, people, officer)
    if "timeline" in case:
        _date_history(case, group)
    # Its public page, once everything it shows exists.
    demo_publication.load(case, group, people)
    # Residents heard directly: the survey, group discussions, one-to-one conversations.
    demo_community.load(case, group, officer, current_app.config["COUNCIL_NAME"])


def _load_response_dates(spec, group, orgs, officer) -> None:
    """The dates the officer would have set when the letters went out: every
    addressee asked on the same day, the statutory periods running from it,
    and the officer's own dates for addressees without one."""
    from datetime import datetime, time

    from scrutiny.responses import services as responses

    if not spec:
        return
    responses.prepare(group, on=spec["requested_on"])
    for row in spec.get("dates", []):
        due = responses.set_due_date(group, orgs[row["organisation"]], row["due_on"], row.get("reason", ""), officer,
                                     earlier_confirmed=row.get("earlier_confirmed", False))
        due.changed_at = datetime.combine(spec["requested_on"], time(10))  # set then, not when the demo loads
    db.session.commit()


def _unwrap(text: str) -> str:
    """Paragraphs wrapped for the TOML file become one line each, as an officer
    would type them; lists and headings keep their lines."""
    blocks = []
    for block in text.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines()]
        if any(line.startswith(("-", "*", "#", "1.")) for line in lines):
            blocks.append("\n".join(lines))
        else:
            blocks.append(" ".join(lines))
    return "\n\n".join(blocks)


def _load_report_text(case, group) -> None:
    """The foreword, summary, conclusions and any sections of the group's own,
    in the order the case gives them, and where the report goes."""
    for position, row in enumerate(case.get("report_sections", []), start=1):
        group.report_sections.append(ReportSection(
            kind=row["kind"], title=row.get("title", ""), body=_unwrap(row["body"]), position=position))
    if "report_settings" in case:
        spec = case["report_settings"]
        group.report_settings = ReportSettings(
            committee=spec.get("committee", ""), meeting_date=spec.get("meeting_date"),
            reference=spec.get("reference", ""))


def _link_evidence(case, group) -> None:
    """Each finding cites the evidence the case names by title, with its note.
    The sessions' minutes join the library first, as recording them would."""
    from sqlalchemy import select

    from scrutiny.evidence.models import Submission
    from scrutiny.sessions.models import EvidenceSession
    from scrutiny.sessions.services import save_minutes

    for session in db.session.scalars(select(EvidenceSession).where(EvidenceSession.topic_group_id == group.id)):
        if session.minutes:
            save_minutes(session, session.minutes)
    evidence = {s.title: s for s in db.session.scalars(select(Submission).where(Submission.topic_group_id == group.id))}
    findings = {f.number: f for f in group.findings}
    for number, row in enumerate(case.get("findings", []), start=1):
        findings[number].evidence_links = [
            FindingEvidence(submission=evidence[link["title"]], note=link.get("note", ""), position=position)
            for position, link in enumerate(row.get("evidence", []))]
    db.session.commit()


def _load_evidence(case, group, orgs, officer) -> None:
    """Invitations, evidence sessions and submitted evidence with real files,
    so the library and the sessions are full after `make run`."""
    from datetime import datetime, time

    from scrutiny.evidence.models import EvidenceFile, Submission
    from scrutiny.invitations.models import Invitation
    from scrutiny.invitations.services import local_to_utc, utcnow
    from scrutiny.sessions.models import EvidenceSession, SessionSlot
    from scrutiny.storage import storage
    from scrutiny.uploads import check_upload
    from scrutiny.demo.files import simple_pdf
    import io

    invited = {}
    for row in case.get("invitations", []):
        invitation = Invitation(
            topic_group=group, organisation=orgs[row["organisation"]], contact_name=row["contact_name"],
            contact_role=row.get("contact_role", ""), contact_email=row["contact_email"], questions="\n".join(line.text for line in group.lines_of_enquiry),
            deadline=row["deadline"], status=row["status"], decline_reason=row.get("decline_reason", ""),
            created_by=officer, sent_at=utcnow(), responded_at=utcnow())
        db.session.add(invitation)
        invited[row["contact_email"]] = invitation
    for row in case.get("sessions", []):
        session = EvidenceSession(
            topic_group=group, title=row["title"], location=row.get("location", ""), agenda=row.get("agenda", ""),
            minutes=row.get("minutes", ""),
            starts_at=local_to_utc(row["date"], time.fromisoformat(row["start"])),
            ends_at=local_to_utc(row["date"], time.fromisoformat(row["end"])))
        session.slots = [SessionSlot(invitation=invited[e], position=n, attended=True)
                         for n, e in enumerate(row.get("presenters", []))]
        db.session.add(session)
    themes = {t.name: t for t in group.themes}
    for row in case.get("evidence", []):
        invitation = invited[row["invitation"]]
        submission = Submission(
            topic_group=group, invitation=invitation, organisation=invitation.organisation, kind=row["kind"],
            title=row["title"], summary=row.get("summary", ""), body=row.get("body", "").strip(),
            status=row.get("status", "submitted"), confidential=row.get("confidential", False),
            themes=[themes[t] for t in row.get("themes", [])], submitted_at=datetime(2021, 4, 28, 12, 0),
            # The demo's witnesses present once each; all its sessions are past.
            session=(invitation.presentation_session(utcnow()) if row["kind"] == "presentation" else None))
        for spec in row.get("files", []):
            content = simple_pdf(row["title"], spec.get("lines", []))
            blob = storage().put_stream(io.BytesIO(content), max_bytes=len(content))
            checked = check_upload(blob.temp_path, spec["name"], max_inflated_bytes=1 << 20)
            submission.files.append(EvidenceFile(
                storage_key=storage().commit(blob), original_name=checked.safe_name,
                content_type=checked.content_type, category=checked.category, size=blob.size,
                sha256=blob.sha256, confidential=spec.get("confidential", False), page_count=checked.page_count))
        db.session.add(submission)
    db.session.commit()


def _load_agreement(spec, group, people) -> None:
    """The members' agreement to the text just loaded: a circulated draft,
    their answers and the sign-off, on the dates of the review's own timeline
    (TOML local date-times, the council's clock)."""
    from scrutiny.clock import local_to_utc
    from scrutiny.findings import agreement

    def at(value):
        return local_to_utc(value.date(), value.time()) if value else None

    agreement.circulate(group, people[spec["circulated_by"]], spec.get("note", ""), at=at(spec["circulated_at"]))
    for row in spec.get("votes", []):
        agreement.record_vote(group, people[row["member"]], row["decision"], row.get("reason", ""),
                              at=at(row.get("at")) or at(spec["circulated_at"]))
    if spec.get("signed_off_by"):
        agreement.sign_off(group, people[spec["signed_off_by"]], at=at(spec["signed_off_at"]))
    db.session.commit()


def _date_history(case, group) -> None:
    """Put what loading just made on the review's own timeline: a 2021 review
    whose stage changes and evidence were dated the day the demo loaded showed
    a history that never happened. Runs last, once everything exists."""
    from sqlalchemy import select

    from scrutiny.clock import local_to_utc
    from scrutiny.evidence.models import Submission, SubmissionKind

    def at(value):
        return local_to_utc(value.date(), value.time()) if value else None

    timeline = case["timeline"]
    stages = {name: at(when) for name, when in timeline["stages"].items()}
    group.created_at = group.updated_at = stages["scoping"]
    for change in group.status_changes:
        change.changed_at = stages[change.to_status]
    submissions = list(db.session.scalars(select(Submission).where(Submission.topic_group_id == group.id)))
    evidence = {row["title"]: row for row in case.get("evidence", [])}
    for submission in submissions:
        if submission.kind == SubmissionKind.MINUTES:
            row = {"submitted_at": None}
            when = submission.session.ends_at  # written up as the session closed
        else:
            row = evidence[submission.title]
            when = at(row["submitted_at"])
        submission.created_at = submission.submitted_at = when
        submission.reviewed_at = at(row.get("reviewed_at"))
        submission.updated_at = submission.reviewed_at or when
        for file in submission.files:
            file.created_at = when
    submitted = {s.invitation_id: s.submitted_at for s in submissions if s.invitation_id}
    answers = {row["contact_email"]: row for row in case.get("invitations", [])}
    for session in group.evidence_sessions:
        session.created_at = at(timeline["sessions_arranged"])
    for invitation in group.invitations:
        row = answers[invitation.contact_email]
        invitation.created_at = invitation.sent_at = at(row.get("sent_at") or timeline["invitations_sent"])
        invitation.opened_at = invitation.responded_at = at(row.get("responded_at"))
        invitation.submitted_at = submitted.get(invitation.id)
    db.session.commit()
