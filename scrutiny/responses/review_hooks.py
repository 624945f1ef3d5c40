"""What other features do when the group holds a review (records its
judgements at a review point), without responses importing them: they
import responses, so the arrow must point their way (as scrutiny.groups.hooks).

A feature registers a function when its package is imported (see
scrutiny/publication/__init__.py); the review sheet calls whatever is
registered, inside its own transaction, so the review and what follows
from it are saved together or not at all.
"""
from __future__ import annotations

from typing import Callable

HeldHook = Callable[..., None]  # (review point) -> None; adds to the session, never commits

_on_held: list[HeldHook] = []


def on_review_held(hook: HeldHook) -> None:
    if hook not in _on_held:
        _on_held.append(hook)


def review_held(point) -> None:
    for hook in _on_held:
        hook(point)
