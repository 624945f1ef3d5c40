"""Loads a case file (TOML) into the database: accounts, organisations, a group.

Idempotent: what already exists (matched by e-mail, name or slug) is left as
it is, so officers' edits survive a second `make run`.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from scrutiny.auth import services as accounts
from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.findings.models import Finding, Recommendation
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
    orgs = {}
    for row in rows:
        org = organisations.find_by_name(row["name"])
        if org is None:
            org = organisations.save_organisation(None, name=row["name"], kind=row["kind"],
                                                  email=row.get("email"), website=row.get("website"))
            report.created.append(f"organisation {org.name}")
        else:
            report.kept.append(f"organisation {org.name}")
        orgs[org.name] = org
    return orgs


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
        group.findings.append(Finding(number=number, title=row.get("title", ""), text=row["text"].strip(),
                                      themes=[themes[name] for name in names]))
    for number, row in enumerate(case.get("recommendations", []), start=1):
        group.recommendations.append(Recommendation(
            number=number, text=row["text"], explanation=row.get("explanation", ""),
            addressed_to=row.get("addressed_to", ""), addressees=[orgs[n] for n in row.get("addressees", [])],
        ))
    db.session.commit()
    _load_evidence(case, group, orgs, officer)
    target = Status(spec.get("status", Status.SCOPING))
    for stage in FORWARD[1 : FORWARD.index(target) + 1]:
        groups.change_status(group, stage, officer)
    report.created.append(f"topic group {group.slug}")


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
            contact_email=row["contact_email"], questions="\n".join(line.text for line in group.lines_of_enquiry),
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
            session=invitation.slot.session if invitation.slot and row["kind"] == "presentation" else None)
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
