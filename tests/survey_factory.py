"""Surveys, questions, options and responses made directly with the models,
for the results tests and the bench: a survey of a topic group in English,
Arabic, Bengali and Urdu with one question of each kind, a question whose
options are named in their own scripts, and the 2021 census ethnic-group
question (demographic, code "ethnic_group", its 19 options under 5 headings
and "Prefer not to say").

Functions run in an app context of their own and return plain values: ids
by a short name ("easy", "q_services"), never ORM objects.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from scrutiny.extensions import db
from scrutiny.surveys import census as census_question
from scrutiny.groups.services import get_group_by_slug

HOME_LANGUAGES = [("arabic", "Arabic – العربية"), ("bengali", "Bengali – বাংলা"), ("urdu", "Urdu – اردو"),
                  ("english", "English")]
_references = itertools.count(1)


@dataclass
class MadeSurvey:
    id: int
    public_id: str
    ids: dict[str, int] = field(default_factory=dict)  # questions "q_<name>", options by their name


def _texts(en: str, ar: str = "", bn: str = "", ur: str = "") -> dict:
    return {k: v for k, v in {"en": en, "ar": ar, "bn": bn, "ur": ur}.items() if v}


def make_survey(app, group_slug: str, *, title: str = "Getting health care", status: str = "open",
                census: bool = True) -> MadeSurvey:
    from scrutiny.surveys.models import Survey, SurveyOption, SurveyQuestion

    with app.app_context():
        survey = Survey(topic_group=get_group_by_slug(group_slug), title=_texts(title, "الحصول على الرعاية الصحية"),
                        status=status, languages=["en", "ar", "bn", "ur"])
        names: dict[str, object] = {}

        def question(name, kind, text, options=(), **extra):
            q = SurveyQuestion(kind=kind, text=text, position=len(survey.questions), **extra)
            for position, (key, label, more) in enumerate(options):
                option = SurveyOption(label=label, position=position, **more)
                q.options.append(option)
                names[key] = option
            survey.questions.append(q)
            names[f"q_{name}"] = q

        question("ease", "single", _texts("How easy was it to get an appointment?", "ما مدى سهولة الحصول على موعد؟"),
                 [("easy", _texts("Easy", "سهل", "সহজ", "آسان"), {}),
                  ("neither", _texts("Neither easy nor hard", "لا سهل ولا صعب"), {}),
                  ("hard", _texts("Hard", "صعب", "কঠিন", "مشکل"), {})], required=True)
        question("services", "multiple", _texts("Which services have you used?"),
                 [("gp", _texts("GP surgery"), {}), ("hospital", _texts("Hospital"), {}),
                  ("pharmacy", _texts("Pharmacy"), {})])
        question("rating", "rating", _texts("How good was the care you got?"), rating_scale=5,
                 rating_low=_texts("Very poor"), rating_high=_texts("Very good"))
        question("comments", "text", _texts("Is there anything else you want to tell us?"))
        question("home", "single", _texts("Which language do you speak at home?"),
                 [(key, _texts(label), {}) for key, label in HOME_LANGUAGES], demographic=True)
        if census:
            question("ethnic", "single", _texts("What is your ethnic group?"),
                     [(key, _texts(label), {"group_label": _texts(heading), "code": key, "write_in": write_in})
                      for _, heading, options in census_question.GROUPS for key, label, write_in in options]
                     + [("prefer_not", _texts("Prefer not to say"), {"code": "prefer_not_to_say"})],
                     demographic=True, code="ethnic_group")
        db.session.add(survey)
        db.session.commit()
        return MadeSurvey(survey.id, survey.public_id, {name: row.id for name, row in names.items()})


def respond(app, made: MadeSurvey, answers: dict[str, object], *, n: int = 1, channel: str = "online",
            language: str = "en", withdrawn: bool = False) -> list[str]:
    """`n` responses, each with `answers`: question name -> an option name, a
    list of them (multiple choice), a rating or a text. Returns their references."""
    from scrutiny.surveys.models import SurveyAnswer, SurveyResponse

    ids = made.ids
    with app.app_context():
        references = []
        for _ in range(n):
            reference = f"T{next(_references):09d}"
            response = SurveyResponse(survey_id=made.id, reference=reference, channel=channel, language=language,
                                      submitted_at=datetime(2026, 11, 20, 10),
                                      withdrawn_at=datetime(2026, 11, 21, 10) if withdrawn else None)
            for name, value in answers.items():
                question_id = ids[f"q_{name}"]
                if isinstance(value, int):
                    response.answers.append(SurveyAnswer(question_id=question_id, rating=value))
                elif isinstance(value, list):
                    response.answers += [SurveyAnswer(question_id=question_id, option_id=ids[v]) for v in value]
                elif value in ids:
                    response.answers.append(SurveyAnswer(question_id=question_id, option_id=ids[value]))
                else:
                    response.answers.append(SurveyAnswer(question_id=question_id, text=str(value)))
            db.session.add(response)
            references.append(reference)
        db.session.commit()
        return references
