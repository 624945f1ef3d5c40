"""Stable references for recommendations in the tracker ("2026-27/EHI/R3"):
the municipal year the group's letters first went, a short code from its
title, and the recommendation's number. Fixed once the letters go, so a
reference quoted in a CSV, a minute or an e-mail never changes meaning."""
from __future__ import annotations

import re
from datetime import date

from flask import current_app
from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.groups.models import TopicGroup

_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
                "to", "with"}


def municipal_year(day: date) -> str:
    start = current_app.config["MUNICIPAL_YEAR_START_MONTH"]
    first = day.year if day.month >= start else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def _initials(title: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z0-9]+", title) if w.lower() not in _SMALL_WORDS]
    return "".join(w[0] for w in words).upper()[:6] or "TG"


def fix_code(group: TopicGroup, on: date) -> str:
    """The group's code, chosen now if it has none; the caller commits."""
    if group.tracker_code:
        return group.tracker_code
    stem = f"{municipal_year(on)}/{_initials(group.title)}"
    taken = set(db.session.scalars(select(TopicGroup.tracker_code).where(TopicGroup.tracker_code.like(f"{stem}%"))))
    code, n = stem, 2
    while code in taken:
        code, n = f"{stem}{n}", n + 1
    group.tracker_code = code
    return code


def reference(group: TopicGroup, recommendation: Recommendation) -> str:
    """"2026-27/EHI/R3", or "R3" while the group's letters have not gone."""
    own = f"R{recommendation.number}"
    return f"{group.tracker_code}/{own}" if group.tracker_code else own


def parse(text: str) -> tuple[str, int] | None:
    """("2026-27/EHI", 3) from "2026-27/EHI/R3"; None when it is not a reference."""
    match = re.fullmatch(r"\s*(.+)/R(\d+)\s*", text or "")
    return (match.group(1), int(match.group(2))) if match else None
