"""A reproducible topic group full of evidence, for the document benchmark.

`make_evidence_group(submissions, presentations, addressees, seed, text_chars=...)`
adds ONE topic group (through the app's own services where it has them:
groups, organisations, sessions with presenters and attendance; models
directly where the app's only way in is a witness's web form) holding:

- `submissions` pieces of evidence accepted for the report and not
  confidential, each with one to three of the group's themes, a summary and
  an officer's summary (together about `text_chars` characters: the report
  prints these two) and a Markdown body of realistic length (the report does
  not print bodies; they are stored as a witness would send them);
- a tenth as many again that the report must leave out (confidential, or set
  aside), as a real library has;
- `presentations` of them are presentations, each with a real PDF of a few
  pages stored through `scrutiny.storage.storage()` (put_stream, then
  commit) with its EvidenceFile row, given at evidence sessions that were
  held (presenters recorded as attending);
- findings for every theme (and a few with none), and recommendations that
  between them are addressed to `addressees` organisations, every one of
  which has at least one (so each would get a letter).

The same seed gives the same group, text and PDFs. Call it inside an app
context; every record is committed. Organisations and accounts are found by
name or e-mail and reused, so several groups can share them.
"""
from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pypdf import PdfReader, PdfWriter

from bench import synthetic
from scrutiny.demo.files import simple_pdf
from scrutiny.evidence.models import EvidenceFile, Submission, SubmissionKind, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.findings.models import Finding, FindingEvidence, Recommendation
from scrutiny.groups import services as groups
from scrutiny.groups.status import Status
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.organisations import services as organisations
from scrutiny.sessions import services as sessions
from scrutiny.storage import storage
from scrutiny.uploads import check_upload

# The portal's summary field takes 3,000 characters and the library's officer
# summary 2,000 (scrutiny/portal/forms.py, scrutiny/evidence/library.py); the
# models take any length. Reported beside the lengths made, so a reader knows
# whether the data could have come in through the forms.
FORM_SUMMARY_MAX, FORM_OFFICER_SUMMARY_MAX = 3000, 2000
SUMMARY_SHARE = 0.6  # of a submission's report text, the rest is the officer's summary

PLACES = ["Northshire", "Dale", "South Dale", "Riverside", "Eastmoor", "Westfield", "Kingsbridge",
          "Hollin Vale", "Ashby", "Marsh End"]
BODIES = [
    ("Primary Care Network", "nhs_body"), ("Mental Health Partnership NHS Trust", "nhs_body"),
    ("Borough Council", "council_executive"), ("Town Council", "other"),
    ("Housing Association", "other"), ("Community Transport", "voluntary_community"),
    ("Citizens Advice", "voluntary_community"), ("Youth Forum", "voluntary_community"),
    ("Chamber of Commerce", "other"), ("Learning Disability Partnership", "health_partnership"),
]
WITNESS_ROLES = ["Director", "Head of Service", "Chief Executive", "Service Manager", "Commissioning Lead",
                 "Clinical Lead", "Volunteer Coordinator", "Policy Officer", "Chair", "Programme Manager"]
EVIDENCE_NOUNS = ["Written evidence", "Response to the call for evidence", "Briefing note", "Position paper",
                  "Survey results", "Performance data", "Case studies", "Service review"]
PRESENTATION_NOUNS = ["Presentation", "Slides", "Briefing to members"]
LOCATIONS = ["Council Chamber, County Hall", "Committee Room 2, County Hall", "Dale Civic Centre",
             "Riverside Library meeting room"]

# Words to build sentences of the length and texture of scrutiny evidence.
SUBJECTS = [
    "the service", "the council", "our members", "residents in rural areas", "families we support",
    "the integrated care board", "front-line staff", "the voluntary sector", "commissioners",
    "people waiting for an assessment", "carers", "young people leaving care", "partners across the county",
    "the hospital discharge team", "district councils", "providers of home care",
]
VERBS = [
    "has seen", "reports", "has struggled with", "has responded to", "continues to face", "has invested in",
    "is concerned about", "has measured", "told us about", "has begun to address", "cannot yet evidence",
    "would welcome action on",
]
OBJECTS = [
    "a sustained rise in demand since 2021", "longer waits for a first appointment", "gaps in the data shared "
    "between organisations", "the cost of recruiting and keeping staff", "inconsistent thresholds for support",
    "a shortage of suitable accommodation", "the loss of short-term grant funding", "low awareness of the help "
    "available", "poor public transport to appointments", "duplication between council and NHS teams",
    "the digital exclusion of older residents", "delays in moving people on from hospital",
    "good outcomes where services are jointly commissioned", "the value of early help for families",
]
QUALIFIERS = [
    "in the last two years", "across the county", "particularly in the north of the county",
    "despite recent improvements", "according to the latest quarterly figures", "as our survey shows",
    "in line with the national picture", "for the third year running", "compared with similar councils",
    "which the group may wish to examine further",
]
NUMBERS = ["12%", "a third", "1,240 households", "18 weeks", "£2.3 million", "four in ten", "27 days",
           "350 referrals a month", "half", "nine out of ten"]


# How many pages the report takes, measured with templates/pdf as they are
# (WeasyPrint 70, A4, 10.5pt Noto Sans): about FIXED_PAGES for everything
# but the evidence appendix, and for each submission PAGES_PER_SUBMISSION
# plus PAGES_PER_CHAR for each character of its summaries. An entry may not
# break inside (`.evidence-entry { break-inside: avoid }`), so one that does
# not fit what is left of a page starts the next: the fixed part per
# submission is mostly that half-empty page.
FIXED_PAGES, PAGES_PER_SUBMISSION, PAGES_PER_CHAR = 12, 1.01, 0.000199


def text_chars_for(pages: int, submissions: int) -> int:
    """Summary + officer summary per submission for a report of about `pages` pages."""
    per_submission = (pages - FIXED_PAGES) / max(1, submissions)
    return max(300, int(round((per_submission - PAGES_PER_SUBMISSION) / PAGES_PER_CHAR, -2)))


@dataclass
class EvidenceGroup:
    """What `make_evidence_group` made: how to find the group, and what is in it."""

    slug: str
    submissions: int          # accepted, not confidential: the report's evidence appendix
    left_out: int             # confidential or set aside: never in the report
    presentations: int
    presentation_pages: int   # pages of all presentation PDFs together
    sessions: int
    witnesses: int
    themes: int
    findings: int
    recommendations: int
    addressees: int           # organisations at least one recommendation is addressed to
    summary_chars: int        # mean summary + officer summary per published submission
    body_chars: int           # mean Markdown body per published submission
    over_form_limits: int     # published submissions with a summary longer than the forms take
    officer_email: str
    password: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


# ---------------------------------------------------------------- text


def _sentence(rng: random.Random) -> str:
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    if rng.random() < 0.5:
        text += f" {rng.choice(QUALIFIERS)}"
    if rng.random() < 0.25:
        text += f", affecting {rng.choice(NUMBERS)} of those asked"
    return text[0].upper() + text[1:] + "."


def _prose(rng: random.Random, chars: int) -> str:
    """Sentences, about `chars` characters of them, as one paragraph."""
    out, size = [], 0
    while size < chars:
        sentence = _sentence(rng)
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)


def _markdown_body(rng: random.Random) -> str:
    """Written evidence as a witness sends it: headings, paragraphs, a list, sometimes a table."""
    parts = []
    for heading in rng.sample(["Introduction", "Our service", "What we see", "Demand and capacity",
                               "Working with partners", "What residents tell us", "What would help",
                               "Conclusion"], rng.randint(3, 6)):
        parts.append(f"## {heading}")
        for _ in range(rng.randint(1, 3)):
            parts.append(_prose(rng, rng.randint(300, 900)))
        if rng.random() < 0.4:
            parts.append("\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(3, 6))))
        if rng.random() < 0.15:
            rows = "\n".join(f"| {rng.choice(PLACES)} | {rng.randint(40, 900)} | {rng.randint(2, 40)} weeks |"
                             for _ in range(rng.randint(3, 6)))
            parts.append(f"| Area | Referrals | Median wait |\n|---|---|---|\n{rows}")
    return "\n\n".join(parts)


def _presentation_pdf(title: str, rng: random.Random, pages: int) -> bytes:
    """A real PDF of `pages` slides (each one of the demo maker's pages), joined with pypdf."""
    writer = PdfWriter()
    for n in range(1, pages + 1):
        lines = [_sentence(rng)[:90] for _ in range(rng.randint(4, 9))]
        writer.append(PdfReader(io.BytesIO(simple_pdf(f"{title} ({n}/{pages})", lines))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- records


def link_findings(group, published: list, rng: random.Random, per_finding: tuple[int, int] = (2, 6)) -> int:
    """Each finding of the group rests on a few published submissions, of
    its theme where it has one, each link with a note now and then; returns
    how many links were made."""
    return sum(link_findings_one(finding, published, rng, per_finding) for finding in group.findings)


def link_findings_one(finding, published: list, rng: random.Random, per_finding: tuple[int, int] = (2, 6)) -> int:

    pool = [s for s in published if finding.themes and finding.themes[0] in s.themes] or published
    chosen = rng.sample(pool, min(len(pool), rng.randint(*per_finding)))
    for position, submission in enumerate(chosen):
        finding.evidence_links.append(FindingEvidence(
            submission=submission, position=position,
            note=f"page {rng.randint(1, 12)}" if rng.random() < 0.3 else ""))
    return len(chosen)


def addressee_organisations(count: int) -> list:
    """`count` organisations, the same names on every call: the synthetic set's
    first, then made-up local bodies. Found by name or created."""
    wanted = list(synthetic.ORGANISATIONS)
    for body, kind in BODIES:
        for place in PLACES:
            wanted.append((f"{place} {body}", kind))
    if count > len(wanted):
        raise ValueError(f"at most {len(wanted)} addressee organisations, not {count}")
    kinds = organisations.kinds()
    fallback = next(iter(kinds))
    found = []
    for name, kind in wanted[:count]:
        found.append(organisations.find_by_name(name) or organisations.save_organisation(
            None, name=name, kind=kind if kind in kinds else fallback))
    return found


def _person(rng: random.Random) -> str:
    return f"{rng.choice(synthetic.FIRST_NAMES)} {rng.choice(synthetic.LAST_NAMES)}"


def make_evidence_group(submissions: int, presentations: int, addressees: int, seed: int, *,
                        text_chars: int = 1500, members: int = 6, label: str = "") -> EvidenceGroup:
    """Add one topic group with the evidence described in the module docstring.

    `text_chars`: summary + officer's summary of each published submission,
    about (the report's length follows it). `label` tells apart groups made
    with the same seed (it is part of the title and the random stream).
    """
    if not 0 <= presentations <= submissions:
        raise ValueError(f"presentations must be between 0 and the submissions ({submissions})")
    if addressees < 1:
        raise ValueError("at least one addressee organisation")
    rng = random.Random(f"scrutiny-bench:{seed}:evidence:{label}:{submissions}:{presentations}:{addressees}")
    officer = synthetic._officer()
    pool = synthetic._councillors(synthetic.COUNCILLORS, seed)
    orgs = addressee_organisations(max(addressees, len(synthetic.ORGANISATIONS)))
    addressed = orgs[:addressees]

    topic = rng.choice(synthetic.TOPICS)
    people = rng.sample(pool, members + 1)
    themes = rng.sample(synthetic.THEMES, 6)
    start_date = date(2024, 1, 8) + timedelta(days=rng.randrange(180))
    scope = (f"## Why this review\n\n{_prose(rng, 600)}\n\n## Terms of reference\n\n"
             + "\n".join(f"- {t}" for t in synthetic.TERMS) + f"\n\n## What is out of scope\n\n{_prose(rng, 300)}\n")
    group = groups.save_group(None, groups.GroupDetails(
        title=f"{topic}: evidence review{f' {label}' if label else ''} ({submissions} submissions)",
        scope=scope,
        chair=people[0],
        members=people[1:],
        lead_officer=officer,
        themes=themes,
        lines_of_enquiry=[f"{q} {s}?" for q, s in zip(rng.sample(synthetic.QUESTIONS, 5),
                                                       rng.sample(synthetic.SUBJECTS, 5))],
        start_date=start_date,
        end_date=start_date + timedelta(days=240),
    ))
    group_themes = list(group.themes)

    # Witnesses: one invitation each; a witness may send several pieces.
    n_witnesses = max(presentations, math.ceil(submissions / 2), 1)
    invitations = []
    for n in range(n_witnesses):
        org = orgs[n % len(orgs)] if n < len(orgs) else rng.choice(orgs)
        invitation = Invitation(
            topic_group=group, organisation=org,
            contact_name=f"{_person(rng)}, {rng.choice(WITNESS_ROLES)}",
            contact_email=f"witness{n + 1}@{label or 'bench'}.example.org",
            questions="\n".join(line.text for line in group.lines_of_enquiry),
            deadline=start_date + timedelta(days=60), status=InvitationStatus.SUBMITTED, created_by=officer,
            sent_at=datetime.combine(start_date, time(9)), responded_at=datetime.combine(start_date, time(15)),
            submitted_at=datetime.combine(start_date + timedelta(days=30), time(11)))
        db.session.add(invitation)
        invitations.append(invitation)
    db.session.commit()

    # Evidence sessions, held (attendance recorded), with the presenters in turn.
    presenters = invitations[:presentations]
    n_sessions = max(3, math.ceil(presentations / 3))
    held = []
    for number in range(n_sessions):
        day = start_date + timedelta(days=45 + 14 * number)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        mine = presenters[number::n_sessions]
        session = sessions.save_session(group, None, sessions.SessionDetails(
            title=f"Evidence session {number + 1}: {rng.choice(themes).lower()}",
            day=day, starts=time(10), ends=time(12, 30), location=rng.choice(LOCATIONS),
            presenter_ids=[i.id for i in mine]))
        if mine:
            sessions.record_attendance(session, {i.id: True for i in mine})
        held.append(session)

    # The evidence: presentations first (one per presenter), then the rest.
    published, presentation_pages, summary_total, body_total, over = [], 0, 0, 0, 0
    for n in range(submissions):
        presenting = n < presentations
        invitation = presenters[n] if presenting else invitations[rng.randrange(n_witnesses)]
        chars = max(200, int(text_chars * rng.uniform(0.8, 1.2)))
        summary = _prose(rng, int(chars * SUMMARY_SHARE))
        officer_summary = _prose(rng, chars - len(summary))
        kind = (SubmissionKind.PRESENTATION if presenting
                else rng.choices([SubmissionKind.WRITTEN, SubmissionKind.DATA], [4, 1])[0])
        noun = rng.choice(PRESENTATION_NOUNS if presenting else EVIDENCE_NOUNS)
        submission = Submission(
            topic_group=group, invitation=invitation, organisation=invitation.organisation, kind=kind,
            title=f"{noun}: {rng.choice(synthetic.SUBJECTS)}", summary=summary, officer_summary=officer_summary,
            body=_markdown_body(rng), status=SubmissionStatus.ACCEPTED, confidential=False,
            themes=sorted(rng.sample(group_themes, rng.randint(1, 3)), key=lambda t: t.position),
            submitted_at=invitation.submitted_at, reviewed_by=officer,
            reviewed_at=invitation.submitted_at + timedelta(days=3),
            session=invitation.slots[0].session if presenting and invitation.slots else None)
        if presenting:
            pages = rng.randint(3, 8)
            content = _presentation_pdf(submission.title, rng, pages)
            blob = storage().put_stream(io.BytesIO(content), max_bytes=len(content))
            checked = check_upload(blob.temp_path, f"presentation-{n + 1}.pdf", max_inflated_bytes=1 << 20)
            submission.files.append(EvidenceFile(
                storage_key=storage().commit(blob), original_name=checked.safe_name,
                content_type=checked.content_type, category=checked.category, size=blob.size,
                sha256=blob.sha256, confidential=False, page_count=checked.page_count))
            presentation_pages += pages
        db.session.add(submission)
        published.append(submission)
        summary_total += len(summary) + len(officer_summary)
        body_total += len(submission.body)
        over += len(summary) > FORM_SUMMARY_MAX or len(officer_summary) > FORM_OFFICER_SUMMARY_MAX
    left_out = submissions // 10
    for n in range(left_out):
        invitation = invitations[rng.randrange(n_witnesses)]
        db.session.add(Submission(
            topic_group=group, invitation=invitation, organisation=invitation.organisation,
            kind=SubmissionKind.WRITTEN, title=f"Evidence not for publication {n + 1}",
            summary=_prose(rng, 400), body=_markdown_body(rng),
            status=SubmissionStatus.ACCEPTED if n % 2 == 0 else SubmissionStatus.SET_ASIDE,
            confidential=n % 2 == 0, themes=[rng.choice(group_themes)], submitted_at=invitation.submitted_at))
    db.session.commit()

    # Findings: three to five per theme, and two that rest on no theme.
    number = 0
    for theme in group_themes:
        for _ in range(rng.randint(3, 5)):
            number += 1
            group.findings.append(Finding(number=number, text=_prose(rng, rng.randint(150, 400)), themes=[theme] if theme else []))
    for _ in range(2):
        number += 1
        group.findings.append(Finding(number=number, text=_prose(rng, 200), themes=[]))
    n_findings = number
    link_findings(group, published, random.Random(f"scrutiny-bench:{seed}:links:{label}:{submissions}"))

    # Recommendations: every addressee has at least one; most have two or three.
    links_rng = random.Random(f"scrutiny-bench:{seed}:rests-on:{label}:{submissions}")
    n_recommendations = max(6, math.ceil(addressees / 3))
    to = [[] for _ in range(n_recommendations)]
    for i, org in enumerate(rng.sample(addressed, len(addressed))):
        to[i % n_recommendations].append(org)
    for names in to:
        for org in rng.sample(addressed, rng.randint(0, min(2, len(addressed)))):
            if org not in names:
                names.append(org)
    for number, names in enumerate(to, start=1):
        group.recommendations.append(Recommendation(
            number=number,
            text=f"{rng.choice(synthetic.ACTIONS)} {rng.choice(synthetic.SUBJECTS)}.",
            explanation=f"Findings {rng.randint(1, n_findings)} and {rng.randint(1, n_findings)}. "
                        + _prose(rng, 250),
            addressed_to=rng.choice(synthetic.SHARED_LABELS) if rng.random() < 0.2 else "",
            addressees=sorted(names, key=lambda o: o.name),
            # Its own stream, so the rest of the data stays as it was before findings had links.
            findings=sorted(links_rng.sample(group.findings, min(3, len(group.findings))), key=lambda f: f.number)))
    db.session.commit()

    stages = list(Status)
    for stage in stages[1: stages.index(Status.DRAFTING_REPORT) + 1]:
        groups.change_status(group, stage, officer)

    return EvidenceGroup(
        slug=group.slug, submissions=submissions, left_out=left_out, presentations=presentations,
        presentation_pages=presentation_pages, sessions=len(held), witnesses=n_witnesses,
        themes=len(group_themes), findings=n_findings, recommendations=n_recommendations,
        addressees=len(addressed), summary_chars=round(summary_total / max(1, len(published))),
        body_chars=round(body_total / max(1, len(published))), over_form_limits=over,
        officer_email=officer.email, password=synthetic.PASSWORD)
