"""Field helpers shared by every feature's forms."""
from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError


def choice_list(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the choices WTForms wants."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def lines(text: str | None) -> list[str]:
    """One item per non-empty line, trimmed, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        item = line.strip().lstrip("-*•").strip()
        if item and item.lower() not in (s.lower() for s in seen):
            seen[item] = None
    return list(seen)


class MaxLines:
    def __init__(self, maximum: int, item_length: int, name: str):
        self.maximum, self.item_length, self.name = maximum, item_length, name

    def __call__(self, form, field):
        items = lines(field.data)
        if len(items) > self.maximum:
            raise ValidationError(f"Enter no more than {self.maximum} {self.name}")
        for item in items:
            if len(item) > self.item_length:
                raise ValidationError(
                    f"Each of the {self.name} must be {self.item_length} characters or fewer: "
                    f"“{item[:40]}…” is {len(item)}"
                )


class DayMonthYearField(DateField):
    """A GOV.UK date input: blank is no date; anything else must be a real date."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not any(v.strip() for v in valuelist):
            self.data = None
            self.raw_data = None  # the widget shows empty boxes rather than unpacking nothing
            return
        try:
            day, month, year = (int(v) for v in valuelist)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, for example 27 3 2025") from None
