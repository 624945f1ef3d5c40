"""A survey's results (`/groups/<slug>/surveys/<id>/results`, as an officer)
over 10,000 responses to a 30-question survey, inserted in bulk.

Printed, each beside the app's stylesheet in the same rounds (bench.pages'
reference), so the figures mean the same on another machine:

- SQL statements per request of the results page and of a filtered
  breakdown (one option of the census ethnic-group question and a
  language, with suppression), at a tenth of the responses and at all of
  them: they must be the same (results are counted with GROUP BY in SQL,
  never by loading the answers);
- p50 and p95 of both pages at full size;
- the CSV export's peak Python memory (tracemalloc) at 1,000 and 10,000
  responses: it is written from the aggregates, so it should not grow.
"""
from __future__ import annotations

import os
import platform
import random
import tracemalloc
from contextlib import ExitStack
from datetime import datetime

from flask_migrate import upgrade
from sqlalchemy import insert, select

from bench import places
from bench.pages import REFERENCE, QueryCounter, Target, _fetch, _with_ratios, build_app, log, measure, sign_in
from scrutiny.extensions import db

RESPONSES = 10_000
SMALL = RESPONSES // 10
BATCH = 1000
EMAIL, PASSWORD = "survey.officer@example.org", "bench-password-not-secret"
SLUG = "bench-survey-group"
# 30 questions: the census ethnic group and home language (demographic), 14 single
# choice, 6 multiple choice, 6 ratings and 2 free text.
LANGUAGES = ["en", "ar", "bn", "ur", "pl", "so"]
LANGUAGE_WEIGHTS = [60, 12, 10, 8, 6, 4]


def _make_survey() -> dict:
    from scrutiny.auth.services import create_user
    from scrutiny.groups.models import TopicGroup
    from scrutiny.surveys.models import Survey, SurveyOption, SurveyQuestion
    from scrutiny.surveys import census

    create_user(EMAIL, "Survey Officer", "officer", PASSWORD)
    group = TopicGroup(title="Bench survey group", slug=SLUG)
    survey = Survey(topic_group=group, title={"en": "Bench survey"}, status="open", languages=LANGUAGES)

    def question(kind, text, options=(), **extra):
        q = SurveyQuestion(kind=kind, text={"en": text}, position=len(survey.questions), **extra)
        q.options = [SurveyOption(label={"en": label}, position=i, **more) for i, (label, more) in enumerate(options)]
        survey.questions.append(q)

    question("single", "What is your ethnic group?",
             [(label, {"group_label": {"en": heading}, "code": key, "write_in": write_in})
              for _, heading, opts in census.GROUPS for key, label, write_in in opts]
             + [("Prefer not to say", {"code": "prefer_not_to_say"})],
             demographic=True, code="ethnic_group")
    question("single", "Which language do you speak at home?",
             [(name, {}) for name in ("English", "Arabic", "Bengali", "Urdu")], demographic=True)
    for n in range(14):
        question("single", f"Single-choice question {n + 1}?", [(f"Answer {k + 1}", {}) for k in range(4)])
    for n in range(6):
        question("multiple", f"Multiple-choice question {n + 1}?", [(f"Choice {k + 1}", {}) for k in range(5)])
    for n in range(6):
        question("rating", f"Rating question {n + 1}?", rating_scale=5, rating_low={"en": "Poor"},
                 rating_high={"en": "Good"})
    for n in range(2):
        question("text", f"Free-text question {n + 1}?")
    db.session.add(survey)
    db.session.commit()
    return {"id": survey.id, "public_id": survey.public_id,
            "questions": [(q.id, q.kind, [o.id for o in q.options]) for q in survey.questions]}


def _add_responses(made: dict, start: int, count: int, rng: random.Random) -> None:
    """`count` responses with their answers, a batch of BATCH at a time through Core inserts."""
    from scrutiny.surveys.models import SurveyAnswer, SurveyResponse

    channels = ["online"] * 8 + ["paper", "interview"]
    for first in range(start, start + count, BATCH):
        size = min(BATCH, start + count - first)
        db.session.execute(insert(SurveyResponse), [
            {"survey_id": made["id"], "reference": f"B{n:09d}", "channel": rng.choice(channels),
             "language": rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0], "submitted_at": datetime(2026, 11, 1),
             "withdrawn_at": datetime(2026, 11, 2) if n % 97 == 0 else None}
            for n in range(first, first + size)])
        ids = dict(db.session.execute(select(SurveyResponse.reference, SurveyResponse.id).where(
            SurveyResponse.reference.in_([f"B{n:09d}" for n in range(first, first + size)]))).all())
        answers = []
        for reference, response_id in ids.items():
            for question_id, kind, options in made["questions"]:
                if rng.random() < 0.1:
                    continue  # skipped
                if kind == "single":
                    answers.append({"response_id": response_id, "question_id": question_id,
                                    "option_id": options[min(int(rng.expovariate(0.5)), len(options) - 1)],
                                    "text": ""})
                elif kind == "multiple":
                    answers += [{"response_id": response_id, "question_id": question_id, "option_id": o, "text": ""}
                                for o in rng.sample(options, rng.randint(1, 3))]
                elif kind == "rating":
                    answers.append({"response_id": response_id, "question_id": question_id,
                                    "rating": rng.randint(1, 5), "text": ""})
                elif rng.random() < 0.3:
                    answers.append({"response_id": response_id, "question_id": question_id,
                                    "text": f"Comment from {reference}: the wait was long."})
        db.session.execute(insert(SurveyAnswer), answers)
        db.session.commit()


def _filtered_path(made: dict) -> str:
    ethnic_id, _, ethnic_options = made["questions"][0]
    # Bangladeshi (the first option): a common answer under this synthetic spread.
    return f"/groups/{SLUG}/surveys/{made['public_id']}/results?language=bn&q{ethnic_id}={ethnic_options[0]}"


def _csv_peak_kib(app, made: dict) -> tuple[int, int]:
    """(lines written, peak KiB while writing them) for the unfiltered CSV."""
    from scrutiny.surveys import results_export
    from scrutiny.surveys.models import Survey
    from scrutiny.surveys.results import results

    with app.app_context():
        tracemalloc.start()
        lines = 0
        for chunk in results_export.lines(results(db.session.get(Survey, made["id"]))):
            lines += chunk.count("\r\n")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        db.session.remove()
    return lines, peak // 1024


def _queries(counter: QueryCounter, target: Target) -> int:
    _fetch(target)
    before = counter.count
    _fetch(target)
    return counter.count - before


def run(requests: int, warmup: int, seed: int) -> dict:
    rng = random.Random(seed)
    with ExitStack() as stack:
        tmp = places.folder(stack, "scrutiny-bench-survey-")
        redis_url = places.redis_url(stack, tmp)
        database_url = places.database_url(stack, tmp / "db")
        app = build_app(database_url, redis_url, tmp / "storage")
        with app.app_context():
            upgrade()
            engine = db.engine
            stack.callback(engine.dispose)
            made = _make_survey()
            _add_responses(made, 0, SMALL, rng)
            db.session.remove()
        counter = QueryCounter(engine)
        anonymous, officer = app.test_client(), app.test_client()
        sign_in(officer, EMAIL, PASSWORD)
        page = Target("results page", f"/groups/{SLUG}/surveys/{made['public_id']}/results", officer, "officer")
        filtered = Target("filtered breakdown", _filtered_path(made), officer, "officer")
        small_queries = {"page": _queries(counter, page), "filtered": _queries(counter, filtered)}
        small_csv = _csv_peak_kib(app, made)
        with app.app_context():
            _add_responses(made, SMALL, RESPONSES - SMALL, rng)
            from sqlalchemy import func

            from scrutiny.surveys.models import SurveyAnswer
            answers = db.session.scalar(select(func.count()).select_from(SurveyAnswer))
            db.session.remove()
        log(f"survey: {RESPONSES} responses, {answers} answers to 30 questions ready")
        results = _with_ratios(measure([Target(REFERENCE, "/static/build/app.css", anonymous, "anonymous"),
                                        page, filtered], counter, requests, warmup))
        large_csv = _csv_peak_kib(app, made)
        filtered_html = _fetch(filtered).decode()
    reference = results[REFERENCE].p50_ms
    return {
        "settings": {"requests": requests, "warmup": warmup, "seed": seed, "responses": RESPONSES,
                     "answers": answers, "questions": 30,
                     "database": "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
                     "python": platform.python_version(), "cpus": os.cpu_count()},
        "reference_p50_ms": round(reference, 3),
        "page": results[page.name].as_dict(),
        "filtered": {**results[filtered.name].as_dict(),
                     "suppressed_cells": filtered_html.count("fewer than")},
        "queries": {"small": small_queries,
                    "large": {"page": max(results[page.name].queries), "filtered": max(results[filtered.name].queries)}},
        "queries_constant": (small_queries["page"] == min(results[page.name].queries) == max(results[page.name].queries)
                             and small_queries["filtered"] == min(results[filtered.name].queries)
                             == max(results[filtered.name].queries)),
        "csv": {"small": {"responses": SMALL, "lines": small_csv[0], "peak_kib": small_csv[1]},
                "large": {"responses": RESPONSES, "lines": large_csv[0], "peak_kib": large_csv[1]},
                "peak_ratio": round(large_csv[1] / max(small_csv[1], 1), 2)},
    }


def table(result: dict) -> str:
    s, page, filtered, q = result["settings"], result["page"], result["filtered"], result["queries"]
    return "\n".join([
        f"Survey results ({s['responses']} responses, {s['answers']} answers, {s['questions']} questions), "
        f"{s['database']}, {s['cpus']} CPUs; reference {REFERENCE} p50 {result['reference_p50_ms']:.2f} ms",
        f"  results page: {page['queries_per_request']} queries (a tenth of the responses: {q['small']['page']}), "
        f"p50 {page['p50_ms']:.1f} ms, p95 {page['p95_ms']:.1f} ms, p50 {page['ratio_p50_to_reference']:.1f}x "
        f"the reference, {page['response_bytes'] // 1024} KiB",
        f"  filtered breakdown (language and ethnic group): {filtered['queries_per_request']} queries (a tenth: "
        f"{q['small']['filtered']}), p50 {filtered['p50_ms']:.1f} ms, p95 {filtered['p95_ms']:.1f} ms, "
        f"p50 {filtered['ratio_p50_to_reference']:.1f}x the reference, {filtered['suppressed_cells']} "
        f"“fewer than” on the page",
        f"  queries constant: {'yes' if result['queries_constant'] else 'NO'}",
        f"  CSV export peak memory: {result['csv']['small']['peak_kib']} KiB at {result['csv']['small']['responses']} "
        f"responses, {result['csv']['large']['peak_kib']} KiB at {result['csv']['large']['responses']} "
        f"({result['csv']['peak_ratio']}x; {result['csv']['large']['lines']} lines)",
    ])
