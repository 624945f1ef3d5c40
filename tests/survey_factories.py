"""Surveys for tests, made through the services officers use, in the second
case's group. Each returns plain values (public ids, question ids)."""
from __future__ import annotations

from datetime import date, timedelta

from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.surveys import services
from scrutiny.surveys.models import Survey

GROUP = "adult-social-care-waiting-times"


def make_survey(app, *, questions=(), status="draft", lawful_basis="consent", slug=GROUP, **overrides) -> dict:
    """A survey with a complete privacy notice and the given questions
    (QuestionDetails keyword dicts; condition_question_id may be an index
    into the questions made before). Returns its public id and question ids."""
    with app.app_context():
        details = services.SurveyDetails(
            title="Waiting for care at home", introduction="Tell us how long you waited.",
            closes_on=date.today() + timedelta(days=30), withdraw_until=date.today() + timedelta(days=60),
            lawful_basis=lawful_basis, policy_document_url="https://northshire.example/policy",
            privacy_controller="Northshire County Council", privacy_contact="dpo@northshire.example",
            privacy_purposes="To inform the group's report.", privacy_recipients="The scrutiny team.",
            privacy_retention="Two years.")
        for name, value in overrides.items():
            setattr(details, name, value)
        survey = services.save_survey(get_group_by_slug(slug), None, details, None)
        ids = []
        for spec in questions:
            spec = dict(spec)
            if isinstance(spec.get("condition_question_id"), int) and spec["condition_question_id"] < len(ids):
                target = ids[spec["condition_question_id"]]
                spec["condition_question_id"] = target
                if "condition_option" in spec:
                    question = services.get_question(survey, target)
                    spec["condition_option_id"] = question.options[spec.pop("condition_option")].id
            question = services.save_question(survey, None, services.QuestionDetails(**spec), None)
            ids.append(question.id)
        if status in ("open", "closed"):
            services.open_survey(survey, None)
        if status == "closed":
            services.close_survey(survey, None)
        db.session.commit()
        return {"survey": survey.public_id, "questions": ids, "id": survey.id}


def load(survey_public_id: str) -> Survey:
    return db.session.query(Survey).filter_by(public_id=survey_public_id).one()


SINGLE = {"kind": "single", "text": "Did you get the care you asked for?", "new_options": ["Yes", "No"]}
RATING = {"kind": "rating", "text": "How was the wait?", "rating_scale": 5, "rating_low": "Very poor",
          "rating_high": "Very good"}
TEXT = {"kind": "text", "text": "What would have helped?"}
MULTIPLE = {"kind": "multiple", "text": "Who helped you?", "new_options": ["Family", "Friends", "A carer"]}
