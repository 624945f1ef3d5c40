"""A group's recommendations tracker as a PDF, and the council's tracker of
every group: the tracker page's table on landscape A4, for a committee's
agenda or a meeting's papers. The rows are the responses package's
(scrutiny.responses.tracker); this module only turns them into plain JSON
data for ``templates/pdf/tracker.html``, under the name ``tracker``. As for the report, only ``version``, ``built_on`` and
``date`` change from one build to the next, so an unchanged tracker is not
built again."""
from __future__ import annotations

from datetime import date

from flask import current_app

from scrutiny.documents.report import clean
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import tracker

DATE_FORMAT = "%-d %B %Y"


def tracker_problems(group: TopicGroup) -> list[str]:
    if not tracker.is_tracked(group):
        return ["The group’s recommendation letters have not been sent yet: the tracker starts when they go"]
    return []


def _day(value: date | None) -> str | None:
    return value.strftime(DATE_FORMAT) if value else None


def _rows(page: tracker.Page, *, with_group: bool) -> list[dict]:
    rows = []
    for row in page.rows:
        data = {
            "reference": row.reference,
            "text": clean(row.text),
            "addressees": [{"name": a.name, "decision": a.label,
                            "due": _day(a.due_on) if a.key in ("overdue", "awaiting") else None}
                           for a in row.addressees],
            "actions": row.actions,
            "progress": row.progress_text,
            "judgement": {"label": row.scale_value.label, "meaning": row.scale_value.meaning,
                          "colour": row.scale_value.colour} if row.scale_value else None,
            "judgement_label": row.judgement_label,
            "reason": clean(row.judgement_reason),
            "last_update": _day(row.last_update),
            "next_review": _day(row.next_review),
        }
        if with_group:  # only the council-wide tracker has the column (a group's hash stays as it was)
            data["group"] = row.group_title
        rows.append(data)
    return rows


def _standing(page: tracker.Page, *, version: int, built_on: date) -> dict:
    return {
        "council_name": current_app.config["COUNCIL_NAME"],
        "counts": [{"label": v.label if v else "Awaiting judgement", "count": n}
                   for v, n in page.counts["judgements"]],
        "overdue": page.counts["overdue"],
        # Left out of the build's input hash (documents.services.hashable).
        "version": version,
        "built_on": built_on.isoformat(),
        "date": built_on.strftime(DATE_FORMAT),
    }


def _page(groups: list[TopicGroup], built_on: date) -> tracker.Page:
    return tracker.page(groups, built_on, tracker.Filters(sort="reference"), size=100_000)


def tracker_context(group: TopicGroup, *, version: int, built_on: date) -> dict:
    page = _page([group], built_on)
    return {"title": group.title, "code": group.tracker_code or "", "rows": _rows(page, with_group=False),
            **_standing(page, version=version, built_on=built_on)}


# ---- every group: the council's tracker, belonging to no group ---------------------------------

def tracker_all_problems() -> list[str]:
    if not tracker.tracked_groups():
        return ["No topic group has sent its recommendation letters yet: the tracker starts when they go"]
    return []


def tracker_all_context(*, version: int, built_on: date) -> dict:
    """Every tracked group's rows in reference order (groups by their code),
    each naming its group. `groups` lists them, so the PDF says whose
    recommendations it holds."""
    groups = tracker.tracked_groups()
    page = _page(groups, built_on)
    return {"title": "every topic group", "every_group": True,
            "groups": [{"title": g.title, "code": g.tracker_code or ""} for g in groups],
            "rows": _rows(page, with_group=True), **_standing(page, version=version, built_on=built_on)}


def tracker_all_filename(version: int) -> str:
    return f"recommendations-tracker-every-group-v{version}.pdf"


def tracker_filename(group: TopicGroup, subject: str, version: int) -> str:
    return f"{group.slug}-tracker-v{version}.pdf"
