"""A case's community engagement as it stood (`[community]` of the case
file): its survey in several languages, closed, with its responses through
each channel and its results drawn into the evidence; its group discussions
(one held and closed with its record, one open for sign-up on a date after
the day the demo is loaded); and its one-to-one requests (one waiting, one
closed, its notes recorded as evidence naming no one). Only the discussion
open for sign-up, its sign-ups and the waiting request are dated now: the
rest keeps to the review's 2021 timeline.

Like the rest of the case's history, it is written directly with the
services' own rules where they fit the past (recording a response, drawing
the results, recording notes) and with the models where they do not (a
discussion held in 2021 cannot be published today). Nothing is e-mailed
and no job is scheduled: the residents are fictional, and the workers'
sweep finds anything due (an erasure) from the database anyway.
The results PDF is left for an officer to request.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from scrutiny import clock
from scrutiny.auth.models import User
from scrutiny.community import events, messages, notes
from scrutiny.community.models import (
    ConversationRequest, ConversationStatus, DiscussionEvent, EventSignup, EventStatus, SignupStatus)
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.surveys import census, evidence_draw, recording, services as surveys
from scrutiny.surveys.models import (
    QuestionKind, Survey, SurveyOption, SurveyQuestion, SurveyResponse, SurveyStatus)
from scrutiny.surveys.texts import BASE


def _at(value: datetime) -> datetime:
    """A time on the council's clock in the case file, as stored (UTC)."""
    return clock.local_to_utc(value.date(), value.time())


def _hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def load(case: dict, group: TopicGroup, officer: User | None, council_name: str) -> None:
    spec = case.get("community")
    if not spec or officer is None:
        return
    if "survey" in spec:
        _survey(spec["survey"], group, officer, council_name)
    for row in spec.get("discussions", []):
        _discussion(row, group, officer)
    for row in spec.get("conversations", []):
        _conversation(row, group, officer)
    db.session.commit()


# The survey --------------------------------------------------------------------

def _survey(spec: dict, group: TopicGroup, officer: User, council_name: str) -> Survey:
    languages = list(spec["title"])
    survey = Survey(
        topic_group=group, title=spec["title"], introduction=spec.get("introduction", {}),
        status=SurveyStatus.OPEN, languages=[BASE], closes_on=spec.get("closes_on"),
        withdraw_until=spec.get("withdraw_until"), lawful_basis=spec.get("lawful_basis", "consent"),
        privacy_controller=spec.get("privacy_controller", "").replace("{council_name}", council_name),
        privacy_contact=spec.get("privacy_contact", ""), privacy_purposes=spec.get("privacy_purposes", {}),
        privacy_recipients=spec.get("privacy_recipients", {}), privacy_retention=spec.get("privacy_retention", {}),
        created_by=officer)
    db.session.add(survey)
    options: dict[tuple[str, str], SurveyOption] = {}
    questions: dict[str, SurveyQuestion] = {}
    for row in spec.get("questions", []):
        question = SurveyQuestion(position=len(survey.questions), kind=row["kind"], text=row["text"],
                                  required=row.get("required", False),
                                  rating_low=row.get("rating_low", {}), rating_high=row.get("rating_high", {}))
        for position, option in enumerate(row.get("options", [])):
            made = SurveyOption(position=position, label=option["label"])
            question.options.append(made)
            options[(row["key"], option["key"])] = made
        survey.questions.append(question)
        questions[row["key"]] = question
    if "census" in spec:
        questions[census.CODE] = _census(survey, spec["census"], officer)
        options.update({(census.CODE, o.code): o for o in questions[census.CODE].options})
    db.session.flush()
    for code in languages:  # each offered only once every text has it, as officers must
        if code != BASE:
            surveys.publish_language(survey, code, officer)
    for row in spec.get("responses", []):
        for _ in range(row["count"]):
            _respond(survey, row, questions, options, officer, spec["opened"].date())
    survey.opened_at = _at(spec["opened"])
    survey.created_at = survey.opened_at - timedelta(days=7)
    _spread(survey, survey.opened_at, _at(datetime.combine(spec["closes_on"], time(20))))
    surveys.close_survey(survey, officer)
    survey.closed_at = survey.updated_at = _at(spec["closed"])
    db.session.flush()
    item, _ = evidence_draw.draw(survey, by=officer)
    item.created_at = item.submitted_at = item.updated_at = _at(spec["drawn"])
    return survey


def _census(survey: Survey, texts: dict, officer: User) -> SurveyQuestion:
    question = surveys.add_ethnic_group_question(survey, officer)
    question.text = {BASE: census.QUESTION, **texts.get("question", {})}
    question.hint = {BASE: census.HINT, **texts.get("hint", {})}
    headings = texts.get("headings", {})
    for option in question.options:
        option.label = {**option.label, **texts.get("options", {}).get(option.code, {})}
        if option.group_label:
            option.group_label = {**option.group_label, **headings.get(option.group_label[BASE], {})}
    return question


def _respond(survey, row, questions, options, officer, day) -> None:
    answers = {}
    for key, value in row.get("answers", {}).items():
        question = questions[key]
        if question.kind == QuestionKind.RATING:
            answers[question.id] = recording.Answer(rating=value)
        else:
            chosen = value if isinstance(value, list) else [value]
            answers[question.id] = recording.Answer(option_ids=[options[(key, c)].id for c in chosen])
    if row.get("text"):
        free = next(q for q in survey.questions if q.kind == QuestionKind.TEXT)
        answers[free.id] = recording.Answer(text=row["text"])
    online = row["channel"] == "online"
    recording.record(survey, answers, row["channel"], row["language"], entered_by=None if online else officer,
                     consented=True, today=day)


def _spread(survey: Survey, first: datetime, last: datetime) -> None:
    """The responses' times spread over the weeks the survey was open, in the order recorded."""
    responses = sorted(survey_responses(survey), key=lambda r: r.id)
    step = (last - first) / max(len(responses), 1)
    for number, response in enumerate(responses):
        response.submitted_at = first + step * number
        if response.consented_at is not None:
            response.consented_at = response.submitted_at


def survey_responses(survey: Survey):
    return db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id))


# Group discussions ---------------------------------------------------------------

def _discussion(row: dict, group: TopicGroup, officer: User) -> DiscussionEvent:
    upcoming = "days_ahead" in row
    day = clock.today() + timedelta(days=row["days_ahead"]) if upcoming else row["date"]
    details = events.EventDetails(
        title=row["title"], description=row.get("description", ""), day=day, starts=_hm(row["start"]),
        ends=_hm(row["end"]), online=False, place=row["place"], capacity=row["capacity"],
        held_back=row.get("held_back", 0), languages=row.get("languages", []),
        access_offered=row.get("access_offered", ""), terms=row.get("terms", ""),
        accept_hours=row.get("accept_hours", 48))
    event = events.save_event(group, None, details, by=officer)
    db.session.flush()
    if upcoming:
        event.status = EventStatus.PUBLISHED  # as events.publish, without scheduling the erasure job
        for person in row.get("signups", []):
            signup = EventSignup(event=event, status=SignupStatus.CONFIRMED, name=person["name"],
                                 email=person["email"], phone=person.get("phone", ""),
                                 access_needs=person.get("access_needs", ""), language=person.get("language", "en"),
                                 terms_accepted_at=clock.utcnow())
            db.session.add(signup)
            db.session.flush()
            messages.set_manage_token(signup)
        return event
    # Held: its record, and its notes in the evidence (the residents' details long since erased).
    event.created_at = event.starts_at - timedelta(days=28)
    event.status, event.attendees = EventStatus.CLOSED, row.get("attendees")
    event.organisations_present = row.get("organisations", "")
    event.languages_used = row.get("languages_used", [])
    event.closed_at, event.closed_by = event.ends_at + timedelta(days=1), officer
    event.updated_at = event.closed_at
    if row.get("notes"):
        _notes(group, notes.DISCUSSION, row["notes_title"], row, officer, event.ends_at + timedelta(days=2))
    return event


# One-to-one conversations -------------------------------------------------------

def _conversation(row: dict, group: TopicGroup, officer: User) -> ConversationRequest:
    request = ConversationRequest(
        topic_group=group, name=row.get("name", ""), preferred_language=row["preferred_language"],
        contact_method=row["contact_method"], contact=row.get("contact", ""), times=row.get("times", ""),
        language=row.get("language", "en"), status=ConversationStatus.OPEN)
    db.session.add(request)
    if "closed" not in row:
        request.created_at = clock.utcnow() - timedelta(days=row.get("days_ago", 0))
        return request
    request.created_at = _at(row["asked"])
    request.status, request.notes = ConversationStatus.CLOSED, row["notes"].strip()
    request.closed_at, request.closed_by = _at(row["closed"]), officer
    request.erased_at = _at(row["erased"])
    db.session.flush()
    _notes(group, notes.CONVERSATION, notes.title_for_conversation(request), row, officer, request.closed_at)
    return request


def _notes(group: TopicGroup, via: str, title: str, row: dict, officer: User, when: datetime) -> None:
    themes = {t.name: str(t.id) for t in group.themes}
    item = notes.record(group, via=via, title=title, summary=row.get("notes_summary", ""),
                        body=_paragraphs(row["notes"]), theme_ids=[themes[name] for name in row.get("themes", [])], by=officer)
    item.created_at = item.submitted_at = item.updated_at = when


def _paragraphs(text: str) -> str:
    """Lines wrapped in the case file joined again; blank lines kept between paragraphs."""
    return "\n\n".join(" ".join(part.split()) for part in text.strip().split("\n\n"))
