"""What other features add to a topic group without groups importing them
(they import groups, so the arrow must point their way): a part of the
group's page, and a say in whether it may close without a reason.

A feature registers its functions when its package is imported (see
scrutiny/responses/__init__.py); groups calls whatever is registered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from scrutiny.auth.models import User
from scrutiny.groups.models import TopicGroup


@dataclass
class PagePart:
    """A part of the group's page: a template included with `context`."""

    template: str
    context: dict = field(default_factory=dict)


PartMaker = Callable[[TopicGroup, User], "PagePart | None"]
ClosingCheck = Callable[[TopicGroup], "str | None"]

_page_parts: list[PartMaker] = []
_closing_checks: list[ClosingCheck] = []


def add_page_part(maker: PartMaker) -> None:
    if maker not in _page_parts:
        _page_parts.append(maker)


def add_closing_check(check: ClosingCheck) -> None:
    """`check(group)` says why closing the group needs a reason ("3 of 8
    recommendations are not judged achieved"), or None when it needs none."""
    if check not in _closing_checks:
        _closing_checks.append(check)


def page_parts(group: TopicGroup, user: User) -> list[PagePart]:
    return [part for part in (maker(group, user) for maker in _page_parts) if part is not None]


def closing_problems(group: TopicGroup) -> list[str]:
    return [problem for problem in (check(group) for check in _closing_checks) if problem]
