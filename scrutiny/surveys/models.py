"""Surveys of residents: questions in several languages, anonymous responses.

Texts officers type for the public (title, introduction, question, option,
parts of the privacy notice) are stored per language in one JSON column each,
`{"en": "...", "ar": "..."}` (pretalx's I18nTextField does the same): a
language is added without a migration, and a text missing in one language is
shown in English, marked as such (surveys.texts).

Answers are stored by option id, never by the words chosen, so the results do
not depend on the language a respondent answered in.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.ids import public_id


class SurveyStatus(StrEnum):
    DRAFT = "draft"  # being written; not public
    OPEN = "open"  # taking responses in its published languages
    CLOSED = "closed"  # no more responses; results may be made public

    @property
    def label(self) -> str:
        return {"draft": "Draft", "open": "Open", "closed": "Closed"}[self.value]


class LawfulBasis(StrEnum):
    """Health and ethnicity are special-category data (UK GDPR art. 9)."""

    CONSENT = "consent"  # art. 9(2)(a): explicit consent, asked on the form
    EQUALITY = "equality"  # art. 9(2)(g) + DPA 2018 sch. 1 para. 8: needs a policy document

    @property
    def label(self) -> str:
        return {"consent": "Explicit consent",
                "equality": "Equality of opportunity or treatment (equality monitoring)"}[self.value]


class QuestionKind(StrEnum):
    SINGLE = "single"  # radios
    MULTIPLE = "multiple"  # checkboxes
    TEXT = "text"  # free text
    RATING = "rating"  # 1..rating_scale, labelled at both ends

    @property
    def label(self) -> str:
        return {"single": "Single choice", "multiple": "Multiple choice", "text": "Free text",
                "rating": "Rating"}[self.value]


class ConditionOperator(StrEnum):
    """When a question is shown, judged on one earlier question's answer."""

    ANSWERED = "answered"
    EQUALS = "equals"  # the option was chosen
    NOT_EQUALS = "not_equals"  # answered, and the option was not chosen

    @property
    def label(self) -> str:
        return {"answered": "is answered", "equals": "is", "not_equals": "is not"}[self.value]


class Channel(StrEnum):
    """How a response came, so totals agree everywhere."""

    ONLINE = "online"
    PAPER = "paper"
    INTERVIEW = "interview"

    @property
    def label(self) -> str:
        return {"online": "Online", "paper": "Paper", "interview": "Interview"}[self.value]


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict] = mapped_column(JSON, default=dict)  # {language: text}
    introduction: Mapped[dict] = mapped_column(JSON, default=dict)  # {language: Markdown}
    status: Mapped[str] = mapped_column(String(12), default=SurveyStatus.DRAFT)
    # Languages respondents may choose; English always. A language is added
    # only once every text has it (surveys.texts.missing).
    languages: Mapped[list] = mapped_column(JSON, default=lambda: ["en"])
    closes_on: Mapped[date | None] = mapped_column(Date)  # the last day responses are taken
    withdraw_until: Mapped[date | None] = mapped_column(Date)  # the last day a respondent may withdraw
    # The privacy notice: who decides, how to reach them, and, per language,
    # why, who receives the answers and how long they are kept. The rights
    # and the right to complain to the regulator are the interface's own text.
    lawful_basis: Mapped[str] = mapped_column(String(12), default=LawfulBasis.CONSENT)
    policy_document_url: Mapped[str] = mapped_column(String(500), default="")  # for LawfulBasis.EQUALITY
    privacy_controller: Mapped[str] = mapped_column(String(300), default="")
    privacy_contact: Mapped[str] = mapped_column(Text, default="")
    privacy_purposes: Mapped[dict] = mapped_column(JSON, default=dict)
    privacy_recipients: Mapped[dict] = mapped_column(JSON, default=dict)
    privacy_retention: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)

    topic_group: Mapped[TopicGroup] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def status_label(self) -> str:
        return SurveyStatus(self.status).label


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    hint: Mapped[dict] = mapped_column(JSON, default=dict)
    required: Mapped[bool] = mapped_column(default=False)
    # Part of the optional "about you" block (always optional, filterable in the results).
    demographic: Mapped[bool] = mapped_column(default=False)
    # A standard question's name ("ethnic_group" for the 2021 census one), "" for the officers' own.
    code: Mapped[str] = mapped_column(String(40), default="")
    rating_scale: Mapped[int] = mapped_column(Integer, default=5)
    rating_low: Mapped[dict] = mapped_column(JSON, default=dict)  # what 1 means
    rating_high: Mapped[dict] = mapped_column(JSON, default=dict)  # what rating_scale means
    # Shown only when an earlier question's answer matches.
    condition_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="SET NULL"))
    condition_operator: Mapped[str] = mapped_column(String(12), default="")
    # use_alter: questions and options name each other, so this key is added after both tables.
    condition_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_options.id", ondelete="SET NULL", use_alter=True))
    version_id: Mapped[int] = mapped_column(default=1)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    options: Mapped[list[SurveyOption]] = relationship(
        back_populates="question", order_by="SurveyOption.position", cascade="all, delete-orphan",
        foreign_keys="SurveyOption.question_id")
    condition_question: Mapped[SurveyQuestion | None] = relationship(remote_side=[id],
                                                                      foreign_keys=[condition_question_id])
    condition_option: Mapped[SurveyOption | None] = relationship(foreign_keys=[condition_option_id])

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def kind_label(self) -> str:
        return QuestionKind(self.kind).label


class SurveyOption(db.Model):
    __tablename__ = "survey_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[dict] = mapped_column(JSON, default=dict)
    # The heading it sits under (the census's five ethnic groups), {} for none.
    group_label: Mapped[dict] = mapped_column(JSON, default=dict)
    # Chosen, it asks the respondent to describe ("Any other Asian background").
    write_in: Mapped[bool] = mapped_column(default=False)
    code: Mapped[str] = mapped_column(String(60), default="")  # a standard option's stable name

    question: Mapped[SurveyQuestion] = relationship(back_populates="options", foreign_keys=[question_id])


class SurveyResponse(db.Model):
    """One submitted response, anonymous: nothing here names the respondent."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    # Shown on the confirmation page; the respondent withdraws with it.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(12), default=Channel.ONLINE)
    language: Mapped[str] = mapped_column(String(8), default="en")
    submitted_at: Mapped[datetime] = mapped_column(server_default=func.now())
    consented_at: Mapped[datetime | None]  # LawfulBasis.CONSENT: when the box was ticked
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # paper, interview
    # Withdrawn: its answers are deleted, the row kept so the reference says "withdrawn".
    withdrawn_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship()
    entered_by: Mapped[User | None] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    """One answer: an option chosen (one row per option of a multiple choice),
    a rating, or free text (also the words of a write-in option)."""

    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_question_option", "question_id", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id", ondelete="CASCADE"))
    rating: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()
    option: Mapped[SurveyOption | None] = relationship()
