"""A reproducible synthetic data set, made through the project's own services.

`make_groups(n_groups, members_per_group, seed)` adds a pool of councillors,
one scrutiny officer, a set of organisations and `n_groups` topic groups,
each with a scope, themes, key lines of enquiry, draft findings and draft
recommendations addressed to organisations, moved on to a stage of its own.

The same seed always gives the same data. Each group draws from its own
`random.Random` seeded by (seed, group index), so growing a data set in two
steps, `make_groups(20, m, s)` then `make_groups(180, m, s, start=20)`, gives
exactly the groups that `make_groups(200, m, s)` gives in one. People and
organisations are found or created (matched by e-mail or name), so a second
call reuses them.

Call it inside an app context; every record is committed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from scrutiny.auth import services as accounts
from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.findings.models import Finding, Recommendation
from scrutiny.groups import services as groups
from scrutiny.groups.status import Status
from scrutiny.organisations import services as organisations

PASSWORD = "bench-password-not-secret"
OFFICER_EMAIL = "bench.officer@example.org"
COUNCILLORS = 60  # a large county council; every group draws its members from these

FIRST_NAMES = [
    "Amara", "Ben", "Carys", "Declan", "Eleanor", "Farid", "Gemma", "Harjit", "Isla", "Jonah",
    "Kamala", "Liam", "Maryam", "Niall", "Olu", "Priya", "Quentin", "Rhiannon", "Sanjay", "Tamsin",
    "Usman", "Vera", "Wyn", "Xander", "Yasmin", "Zoe",
]
LAST_NAMES = [
    "Adeyemi", "Bennett", "Chowdhury", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones",
    "Kowalski", "Lewis", "Mensah", "Nolan", "O'Brien", "Patel", "Quinn", "Roberts", "Singh", "Thomas",
    "Underwood", "Varma", "Williams", "Young",
]

# (name, kind): kinds are keys of the default ORGANISATION_KINDS setting.
ORGANISATIONS = [
    ("Northshire County Council", "council_executive"),
    ("Dale District Council", "council_executive"),
    ("Northshire Adult Care Services", "council_department"),
    ("Northshire Children's Services", "council_department"),
    ("Northshire Highways and Transport", "council_department"),
    ("Northshire NHS Foundation Trust", "nhs_body"),
    ("South Dale Hospitals NHS Trust", "nhs_body"),
    ("Northshire and Dale Integrated Care Board", "nhs_body"),
    ("Northshire Community Health Services", "nhs_body"),
    ("Northshire Health and Wellbeing Board", "health_partnership"),
    ("Dale Place-Based Partnership", "health_partnership"),
    ("Healthwatch Northshire", "voluntary_community"),
    ("Northshire Council for Voluntary Service", "voluntary_community"),
    ("Dale Carers' Network", "voluntary_community"),
    ("Northshire Fire and Rescue Service", "other"),
    ("Northshire Police", "other"),
]
SHARED_LABELS = ["All health services", "All partners", "The council's executive", "Every district council"]

TOPICS = [
    "Adult social care", "Children's mental health", "Home to school transport", "Flood resilience",
    "Bus services", "Fly-tipping", "Library services", "Youth services", "Housing repairs", "Air quality",
    "Dementia care", "Support for unpaid carers", "Domestic abuse services", "Road safety",
    "Hospital discharge", "Access to GP services", "Special educational needs", "Climate emergency",
    "Rural broadband", "Community safety", "Temporary accommodation", "Digital inclusion",
    "Public health funding", "Waste and recycling",
]
ASPECTS = [
    "waiting times", "value for money", "access for rural residents", "outcomes for older people",
    "the role of partners", "workforce pressures", "the experience of families", "early intervention",
    "commissioning", "performance monitoring",
]
THEMES = [
    "Access", "Workforce", "Funding", "Prevention", "Partnership working", "Data and evidence",
    "Equalities", "Communication", "Commissioning", "Digital", "Estates", "Transport", "Safeguarding",
    "Resident voice",
]
QUESTIONS = [
    "How well does the council understand", "What is known about", "How do partners share information on",
    "What would improve", "How are residents involved in decisions on", "What do the data say about",
    "Which good practice elsewhere could change",
]
SUBJECTS = [
    "demand for the service", "the experience of residents", "gaps in provision", "the cost of delivery",
    "outcomes for people with protected characteristics", "the workforce", "joint commissioning",
    "performance against targets", "support in rural areas", "the transition between services",
]
OPENINGS = [
    "Evidence shows that", "Witnesses told the group that", "Residents reported that",
    "Performance data suggest that", "Partners agreed that",
]
CLAIMS = [
    "demand has risen faster than funding", "information is not shared well between partners",
    "waiting lists are longest in rural areas", "good practice exists but is not shared",
    "the workforce is under sustained pressure", "residents find it hard to know where to go for help",
    "outcomes vary widely across the county", "early help reduces later costs",
    "services are not designed around the people who use them",
]
ACTIONS = [
    "Publish a joint plan for", "Review how it commissions", "Report back within six months on",
    "Set up a single point of contact for", "Fund a pilot to improve", "Agree shared measures for",
    "Involve residents in redesigning",
]
TERMS = [
    "Hear evidence from the council's services and from partners.",
    "Hear directly from residents through a survey and group discussions.",
    "Compare the county's performance with similar councils.",
    "Visit services and talk to front-line staff.",
    "Make recommendations to the organisations that can act on them, and follow up what they do.",
]


@dataclass
class SyntheticSet:
    """What a call made (or found): who to sign in as, which groups it added."""

    password: str
    officer_email: str
    councillor_emails: list[str]
    organisation_names: list[str]
    group_slugs: list[str] = field(default_factory=list)


def make_groups(n_groups: int, members_per_group: int, seed: int, *, start: int = 0,
                councillors: int = COUNCILLORS) -> SyntheticSet:
    """Add groups number `start` .. `start + n_groups - 1` of the data set for `seed`."""
    if members_per_group + 1 > councillors:
        raise ValueError(f"{members_per_group} members and a chair need more than {councillors} councillors")
    officer = _officer()
    pool = _councillors(councillors, seed)
    orgs = _organisations()
    made = SyntheticSet(PASSWORD, officer.email, [c.email for c in pool], [o.name for o in orgs])
    for index in range(start, start + n_groups):
        made.group_slugs.append(_group(index, random.Random(f"scrutiny-bench:{seed}:group:{index}"),
                                       officer, pool, orgs, members_per_group))
    return made


def _find_or_create_user(email: str, name: str, role: str) -> User:
    return accounts.find_user(email) or accounts.create_user(email, name, role, PASSWORD)


def _officer() -> User:
    return _find_or_create_user(OFFICER_EMAIL, "Bench Officer", "officer")


def _councillors(count: int, seed: int) -> list[User]:
    rng = random.Random(f"scrutiny-bench:{seed}:people")
    pool = []
    for n in range(1, count + 1):
        name = f"Councillor {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        pool.append(_find_or_create_user(f"bench.councillor{n:02d}@example.org", name, "councillor"))
    return pool


def _organisations() -> list:
    kinds = organisations.kinds()
    fallback = next(iter(kinds))  # a council's own settings may name other kinds
    found = []
    for name, kind in ORGANISATIONS:
        org = organisations.find_by_name(name) or organisations.save_organisation(
            None, name=name, kind=kind if kind in kinds else fallback)
        found.append(org)
    return found


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(OPENINGS)} {rng.choice(CLAIMS)}."


def _scope(rng: random.Random, topic: str) -> str:
    why = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
    terms = "\n".join(f"- {t}" for t in rng.sample(TERMS, rng.randint(2, 4)))
    return (f"## Why this review\n\nMembers asked for a review of {topic.lower()}. {why}\n\n"
            f"## Terms of reference\n\n{terms}\n")


def _group(index: int, rng: random.Random, officer: User, pool: list[User], orgs: list,
           members_per_group: int) -> str:
    topic, aspect = rng.choice(TOPICS), rng.choice(ASPECTS)
    start_date = end_date = None
    if rng.random() < 0.9:
        start_date = date(2016, 1, 1) + timedelta(days=rng.randrange(365 * 9))
        end_date = start_date + timedelta(days=rng.randrange(60, 300))
    year = f" ({start_date.year})" if start_date else ""
    people = rng.sample(pool, members_per_group + 1)
    themes = rng.sample(THEMES, rng.randint(3, 6))
    n_lines = rng.randint(3, 6)
    lines = [f"{q} {s}?" for q, s in zip(rng.sample(QUESTIONS, n_lines), rng.sample(SUBJECTS, n_lines))]
    group = groups.save_group(None, groups.GroupDetails(
        title=f"{topic}: {aspect}{year}",
        scope=_scope(rng, topic),
        chair=people[0],
        members=people[1:],
        lead_officer=officer,
        themes=themes,
        lines_of_enquiry=lines,
        start_date=start_date,
        end_date=end_date,
    ))
    by_name = {t.name: t for t in group.themes}
    n_findings = rng.randint(3, 10)
    for number in range(1, n_findings + 1):
        theme = by_name[rng.choice(themes)] if rng.random() < 0.7 else None
        group.findings.append(Finding(number=number, text=_sentence(rng), themes=[theme] if theme else []))
    for number in range(1, rng.randint(2, 8) + 1):
        addressees = sorted(rng.sample(orgs, rng.randint(1, 4)), key=lambda o: o.name)
        # Half name the addressees in words; the rest show the organisations' own names.
        label = rng.choice(SHARED_LABELS) if rng.random() < 0.5 else ""
        group.recommendations.append(Recommendation(
            number=number,
            text=f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)}.",
            explanation=f"See finding {rng.randint(1, n_findings)}. {_sentence(rng)}",
            addressed_to=label,
            addressees=addressees,
        ))
    db.session.commit()
    stages = list(Status)
    target = rng.choice(stages)
    for stage in stages[1 : stages.index(target) + 1]:
        # Synthetic groups have no judgements: closing one needs a reason.
        groups.change_status(group, stage, officer, note="Closed for the benchmark" if stage == Status.CLOSED else "")
    return group.slug
