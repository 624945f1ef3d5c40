"""The council's scale for the group's judgement on a recommendation
(config JUDGEMENT_SCALE): RAG and paused unless the council words it
otherwise, each value's meaning shown beside it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from config import ConfigError


@dataclass(frozen=True)
class Value:
    value: str
    label: str
    meaning: str
    colour: str = "grey"
    achieved: bool = False  # counts as done: when all are, the group may close
    needs_reason: bool = False

    @property
    def tag_class(self) -> str:
        return f"govuk-tag--{self.colour}"


def values() -> list[Value]:
    """The scale, best first."""
    try:
        scale = [Value(**entry) for entry in current_app.config["JUDGEMENT_SCALE"]]
    except TypeError as exc:
        raise ConfigError(f"JUDGEMENT_SCALE: each value needs value, label and meaning ({exc})") from exc
    if not scale or len({v.value for v in scale}) != len(scale):
        raise ConfigError("JUDGEMENT_SCALE needs at least one value, each with its own key")
    return scale


def get(value: str) -> Value | None:
    return next((v for v in values() if v.value == value), None)


def best_without_actions() -> list[Value]:
    """What "accepted" with no action may be judged: never an achieved value
    (accepted with nothing done is amber at best)."""
    return [v for v in values() if not v.achieved]
