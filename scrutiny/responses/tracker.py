"""The recommendations tracker: one row per recommendation of every group
whose letters have gone, with what each addressee decided, the actions and
their progress, the group's latest judgement, when it last moved and when it
is next reviewed.

Rows are read in a fixed number of queries whatever their number (columns,
not ORM objects, for the answers and actions: a page of a large council's
tracker reads thousands of them), then filtered and sorted here, since
"overdue" and "last update" are worked out from several tables. The CSV
export reads the same rows a batch of recommendations at a time
(`batches`), so its memory stays flat as the tracker grows.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterator

from sqlalchemy import func, select

from scrutiny.auth.models import Role, User
from scrutiny.clock import to_local
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation, recommendation_addressees
from scrutiny.groups.models import TopicGroup, group_members
from scrutiny.organisations.models import Organisation
from scrutiny.plurals import counted
from scrutiny.responses import judgements, references, scale
from scrutiny.responses.models import (Decision, Judgement, ProgressStatus, RecommendationResponse, ResponseAction,
                                       ResponseRequest, ReviewPoint)

DATE_FORMAT = "%-d %B %Y"
PAGE_SIZE = 100
BATCH = 200  # recommendations read at a time by the CSV export

AWAITING, OVERDUE, NOT_SENT = "awaiting", "overdue", "not_sent"
DECISIONS = [(d.value, d.label) for d in Decision] + [
    (AWAITING, "Awaiting response"), (OVERDUE, "Overdue"), (NOT_SENT, "Not sent yet")]
DECISION_LABELS = dict(DECISIONS)
SORTS = {"overdue": "Overdue responses first", "reference": "Reference",
         "updated": "Last update, newest first", "review": "Next review, soonest first"}
NO_JUDGEMENT = "Awaiting judgement"
NO_UPDATE = "Not reported yet"  # an action with no progress update: "2 not reported yet"


@dataclass(frozen=True)
class Filters:
    """What the officer asked to see, from the page's query string."""

    group: str = ""  # slug
    organisation: int | None = None
    decision: str = ""
    judgement: str = ""  # a scale value, or judgements.AWAITING
    overdue: bool = False
    sort: str = "overdue"

    @classmethod
    def from_args(cls, args) -> Filters:
        organisation = args.get("organisation", "")
        sort = args.get("sort", "overdue")
        return cls(group=args.get("group", "").strip(),
                   organisation=int(organisation) if organisation.isdigit() else None,
                   decision=args.get("decision", "") if args.get("decision", "") in DECISION_LABELS else "",
                   judgement=args.get("judgement", "").strip(),
                   overdue=args.get("overdue", "") in ("1", "y", "on", "true"),
                   sort=sort if sort in SORTS else "overdue")

    def as_args(self) -> dict:
        """The query string that gives these filters again (links, the CSV)."""
        args = {"group": self.group, "organisation": self.organisation or "", "decision": self.decision,
                "judgement": self.judgement, "overdue": "1" if self.overdue else "",
                "sort": "" if self.sort == "overdue" else self.sort}
        return {k: v for k, v in args.items() if v}

    @property
    def any(self) -> bool:
        return bool(self.organisation or self.decision or self.judgement or self.overdue or self.group)


@dataclass
class AddresseeStatus:
    organisation_id: int
    name: str
    key: str  # a Decision value, or awaiting / overdue / not_sent
    due_on: date | None = None

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.key]

    @property
    def tag(self) -> str:
        return {"accepted": "govuk-tag--green", "partially_accepted": "govuk-tag--yellow",
                "not_accepted": "govuk-tag--red", OVERDUE: "govuk-tag--red", AWAITING: "govuk-tag--blue",
                NOT_SENT: "govuk-tag--grey"}[self.key]

    @property
    def text(self) -> str:
        return f"{self.name}: {self.label}"


@dataclass
class Row:
    recommendation_id: int
    number: int
    text: str
    group_id: int
    group_title: str
    group_slug: str
    reference: str
    sort_key: tuple
    addressees: list[AddresseeStatus] = field(default_factory=list)
    actions: int = 0
    progress: Counter = field(default_factory=Counter)  # progress label -> count, and "date moved"
    judgement: Judgement | None = None
    last_update: date | None = None
    next_review: date | None = None

    @property
    def overdue(self) -> bool:
        return any(a.key == OVERDUE for a in self.addressees)

    @property
    def scale_value(self) -> scale.Value | None:
        return scale.get(self.judgement.value) if self.judgement else None

    @property
    def judgement_label(self) -> str:
        value = self.scale_value
        if self.judgement is None:
            return NO_JUDGEMENT
        return value.label if value else self.judgement.value

    @property
    def judgement_reason(self) -> str:
        return self.judgement.reason if self.judgement else ""

    @property
    def decisions_text(self) -> str:
        return "; ".join(a.text for a in self.addressees)

    @property
    def progress_text(self) -> str:
        """"2 on track, 1 at risk, 1 date moved", in the scale's order."""
        order = [s.label for s in ProgressStatus] + [NO_UPDATE]
        parts = [f"{self.progress[label]} {label.lower()}" for label in order if self.progress.get(label)]
        if self.progress.get("date moved"):
            parts.append(f"{self.progress['date moved']} date moved")
        return ", ".join(parts)

    @property
    def actions_text(self) -> str:
        return counted(self.actions, "action")


# ---- which groups -------------------------------------------------------------------------


def _sent_group_ids():
    return select(ResponseRequest.topic_group_id).where(ResponseRequest.sent_at.is_not(None))


def tracked_groups(user: User | None = None) -> list[TopicGroup]:
    """Groups whose letters have gone, by title; a councillor's own only."""
    query = select(TopicGroup).where(TopicGroup.id.in_(_sent_group_ids())).order_by(TopicGroup.title)
    if user is not None and user.role == Role.COUNCILLOR:
        member_of = select(group_members.c.topic_group_id).where(group_members.c.user_id == user.id)
        query = query.where((TopicGroup.chair_id == user.id) | TopicGroup.id.in_(member_of))
    elif user is not None and user.role not in (Role.ADMIN, Role.OFFICER):
        return []
    return list(db.session.scalars(query))


def is_tracked(group: TopicGroup) -> bool:
    return db.session.scalar(select(ResponseRequest.id).where(
        ResponseRequest.topic_group_id == group.id, ResponseRequest.sent_at.is_not(None)).limit(1)) is not None


# ---- reading the rows ---------------------------------------------------------------------


def _group_key(group: TopicGroup) -> tuple:
    """Groups in the order of their references, those without a code by title."""
    return ((group.tracker_code or "").casefold(), group.title.casefold(), group.id)


def _last(*days: date | None) -> date | None:
    found = [d for d in days if d is not None]
    return max(found) if found else None


def _day(moment: datetime | None) -> date | None:
    return to_local(moment).date() if moment is not None else None


def load(groups: list[TopicGroup], today: date, recommendation_ids: list[int] | None = None) -> list[Row]:
    """The rows of these groups' recommendations (only those named, when
    given), in reference order, in eight queries whatever their number."""
    if not groups:
        return []
    by_id = {g.id: g for g in groups}
    chosen = select(Recommendation.id).where(Recommendation.topic_group_id.in_(list(by_id)))
    if recommendation_ids is not None:
        chosen = chosen.where(Recommendation.id.in_(recommendation_ids))

    rows: dict[int, Row] = {}
    for found in db.session.execute(
            select(Recommendation.id, Recommendation.number, Recommendation.text, Recommendation.topic_group_id)
            .where(Recommendation.id.in_(chosen))):
        group = by_id[found.topic_group_id]
        rows[found.id] = Row(recommendation_id=found.id, number=found.number, text=found.text, group_id=group.id,
                             group_title=group.title, group_slug=group.slug,
                             reference=references.reference(group, found), sort_key=_group_key(group) + (found.number,))
    if not rows:
        return []

    # The latest round sent to each organisation is the one that counts.
    counted_request: dict[tuple[int, int], tuple] = {}
    for request in db.session.execute(
            select(ResponseRequest.id, ResponseRequest.topic_group_id, ResponseRequest.organisation_id,
                   ResponseRequest.round, ResponseRequest.due_on, ResponseRequest.submitted_at)
            .where(ResponseRequest.topic_group_id.in_(list(by_id)), ResponseRequest.sent_at.is_not(None))):
        key = (request.topic_group_id, request.organisation_id)
        if key not in counted_request or counted_request[key].round < request.round:
            counted_request[key] = request
    submitted = {r.id: r for r in counted_request.values() if r.submitted_at is not None}

    decisions: dict[tuple[int, int], str] = {}  # (request id, recommendation id) -> decision
    answer_of: dict[int, int] = {}  # answer id -> recommendation id
    if submitted:
        for answer_id, request_id, rid, decision in db.session.execute(
                select(RecommendationResponse.id, RecommendationResponse.request_id,
                       RecommendationResponse.recommendation_id, RecommendationResponse.decision)
                .where(RecommendationResponse.request_id.in_(list(submitted)),
                       RecommendationResponse.recommendation_id.in_(chosen))):
            decisions[(request_id, rid)] = decision
            answer_of[answer_id] = rid
        for response_id, status, progress_on, target, original in db.session.execute(
                select(ResponseAction.response_id, ResponseAction.progress_status, ResponseAction.progress_on,
                       ResponseAction.target_date, ResponseAction.original_target_date)
                .join(RecommendationResponse, RecommendationResponse.id == ResponseAction.response_id)
                .where(RecommendationResponse.request_id.in_(list(submitted)),
                       RecommendationResponse.recommendation_id.in_(chosen))):
            row = rows.get(answer_of.get(response_id))
            if row is None:
                continue
            row.actions += 1
            row.progress[ProgressStatus(status).label if status else NO_UPDATE] += 1
            if original is not None and target != original:
                row.progress["date moved"] += 1
            row.last_update = _last(row.last_update, progress_on)

    for rid, organisation_id, name in db.session.execute(
            select(recommendation_addressees.c.recommendation_id, Organisation.id, Organisation.name)
            .join(Organisation, Organisation.id == recommendation_addressees.c.organisation_id)
            .where(recommendation_addressees.c.recommendation_id.in_(chosen)).order_by(Organisation.name)):
        row = rows[rid]
        request = counted_request.get((row.group_id, organisation_id))
        if request is None:
            key = NOT_SENT
        elif request.submitted_at is not None:
            key = decisions.get((request.id, rid)) or AWAITING
            row.last_update = _last(row.last_update, _day(request.submitted_at))
        elif request.due_on is not None and request.due_on < today:
            key = OVERDUE
        else:
            key = AWAITING
        row.addressees.append(AddresseeStatus(organisation_id, name, key, request.due_on if request else None))

    for rid, found in judgements.latest(list(rows)).items():
        rows[rid].judgement = found
        rows[rid].last_update = _last(rows[rid].last_update, _day(found.recorded_at))

    reviews = dict(db.session.execute(
        select(ReviewPoint.topic_group_id, func.min(ReviewPoint.due_on))
        .where(ReviewPoint.topic_group_id.in_(list(by_id)), ReviewPoint.held_at.is_(None))
        .group_by(ReviewPoint.topic_group_id)).all())
    for row in rows.values():
        row.next_review = reviews.get(row.group_id)
    return sorted(rows.values(), key=lambda r: r.sort_key)


def batches(groups: list[TopicGroup], today: date, filters: Filters, size: int = BATCH) -> Iterator[list[Row]]:
    """The filtered rows in reference order, `size` recommendations at a
    time (for the CSV export: never the whole tracker in memory)."""
    if not groups:
        return
    groups = sorted(groups, key=_group_key)
    for group in groups:
        last = 0
        while True:
            ids = list(db.session.scalars(select(Recommendation.id).where(
                Recommendation.topic_group_id == group.id, Recommendation.number > last)
                .order_by(Recommendation.number).limit(size)))
            if not ids:
                break
            rows = load([group], today, ids)
            last = rows[-1].number if rows else last
            yield [r for r in rows if matches(r, filters)]
            if len(ids) < size:
                break


# ---- filtering and sorting -------------------------------------------------------------------


def matches(row: Row, filters: Filters) -> bool:
    if filters.group and row.group_slug != filters.group:
        return False
    addressees = row.addressees
    if filters.organisation:
        addressees = [a for a in addressees if a.organisation_id == filters.organisation]
        if not addressees:
            return False
    if filters.decision and not any(a.key == filters.decision for a in addressees):
        return False
    if filters.overdue and not any(a.key == OVERDUE for a in addressees):
        return False
    if filters.judgement == judgements.AWAITING:
        return row.judgement is None
    if filters.judgement:
        return row.judgement is not None and row.judgement.value == filters.judgement
    return True


def ordered(rows: list[Row], sort: str) -> list[Row]:
    if sort == "reference":
        return sorted(rows, key=lambda r: r.sort_key)
    if sort == "updated":
        return sorted(rows, key=lambda r: (r.last_update is None, -(r.last_update or date.min).toordinal(),
                                           r.sort_key))
    if sort == "review":
        return sorted(rows, key=lambda r: (r.next_review or date.max, r.sort_key))
    return sorted(rows, key=lambda r: (not r.overdue, r.sort_key))


@dataclass
class Page:
    rows: list[Row]
    total: int
    number: int
    pages: int
    counts: dict = field(default_factory=dict)

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def page(groups: list[TopicGroup], today: date, filters: Filters, number: int = 1,
         size: int = PAGE_SIZE) -> Page:
    """One page of the filtered, sorted rows, with counts over all of them."""
    rows = ordered([r for r in load(groups, today) if matches(r, filters)], filters.sort)
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, number), pages)
    return Page(rows[(number - 1) * size:number * size], len(rows), number, pages, counts(rows))


def counts(rows: list[Row]) -> dict:
    """How many rows stand at each judgement, and how many have an overdue response."""
    standing = Counter(r.judgement.value if r.judgement else judgements.AWAITING for r in rows)
    return {"judgements": [(v, standing.get(v.value, 0)) for v in scale.values()]
            + [(None, standing.get(judgements.AWAITING, 0))],
            "overdue": sum(1 for r in rows if r.overdue), "total": len(rows)}


def organisations(groups: list[TopicGroup]) -> list[tuple[int, str]]:
    """The addressees of these groups' recommendations, for the filter."""
    if not groups:
        return []
    return list(db.session.execute(
        select(Organisation.id, Organisation.name).distinct()
        .join(recommendation_addressees, recommendation_addressees.c.organisation_id == Organisation.id)
        .join(Recommendation, Recommendation.id == recommendation_addressees.c.recommendation_id)
        .where(Recommendation.topic_group_id.in_([g.id for g in groups])).order_by(Organisation.name)).all())
