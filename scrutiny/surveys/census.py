"""The ethnic group question of the 2021 Census of England and Wales.

Nineteen options in five groups, in the order and words of the Office for
National Statistics' published outputs (table TS021), so a survey's answers
can be set beside the census figures for the area. The "Any other..."
options ask the respondent to describe. "Prefer not to say" is ours: the
question is always optional (ethnicity is special-category data).

English only. The ONS published the census questionnaire in many languages;
a council wanting these options in another language should take the ONS's
wording rather than a fresh translation, so the categories stay comparable.
Officers type them on the survey's translation pages.
"""
from __future__ import annotations

CODE = "ethnic_group"
QUESTION = "What is your ethnic group?"
HINT = "Choose one option that best describes your ethnic group or background. This question is optional."

# (group code, heading, [(option code, label, write-in)])
GROUPS: list[tuple[str, str, list[tuple[str, str, bool]]]] = [
    ("asian", "Asian, Asian British or Asian Welsh", [
        ("asian_bangladeshi", "Bangladeshi", False),
        ("asian_chinese", "Chinese", False),
        ("asian_indian", "Indian", False),
        ("asian_pakistani", "Pakistani", False),
        ("asian_other", "Any other Asian background", True),
    ]),
    ("black", "Black, Black British, Black Welsh, Caribbean or African", [
        ("black_african", "African", False),
        ("black_caribbean", "Caribbean", False),
        ("black_other", "Any other Black, Black British or Caribbean background", True),
    ]),
    ("mixed", "Mixed or Multiple ethnic groups", [
        ("mixed_white_asian", "White and Asian", False),
        ("mixed_white_black_african", "White and Black African", False),
        ("mixed_white_black_caribbean", "White and Black Caribbean", False),
        ("mixed_other", "Any other Mixed or multiple ethnic background", True),
    ]),
    ("white", "White", [
        ("white_british", "English, Welsh, Scottish, Northern Irish or British", False),
        ("white_irish", "Irish", False),
        ("white_gypsy_irish_traveller", "Gypsy or Irish Traveller", False),
        ("white_roma", "Roma", False),
        ("white_other", "Any other White background", True),
    ]),
    ("other", "Other ethnic group", [
        ("other_arab", "Arab", False),
        ("other_any", "Any other ethnic group", True),
    ]),
]

PREFER_NOT_TO_SAY = ("prefer_not_to_say", "Prefer not to say")


def options() -> list[dict]:
    """Every option in order: code, label, group heading ("" for none), write-in."""
    found = [{"code": code, "label": label, "group": heading, "write_in": write_in}
             for _, heading, members in GROUPS for code, label, write_in in members]
    found.append({"code": PREFER_NOT_TO_SAY[0], "label": PREFER_NOT_TO_SAY[1], "group": "", "write_in": False})
    return found
