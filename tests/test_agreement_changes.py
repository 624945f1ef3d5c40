"""Tracked changes between two draft snapshots."""
from bs4 import BeautifulSoup

from scrutiny.findings.changes import compare, tracked


def _finding(key, number, text, title="", evidence=()):
    return {"key": key, "number": number, "title": title, "text": text, "themes": ["Assessments"],
            "evidence": [{"title": t, "note": ""} for t in evidence]}


def test_changed_words_are_marked_for_eyes_and_screen_readers():
    html = BeautifulSoup(str(tracked("Waits doubled in two years.", "Waits trebled in two years.")), "html.parser")
    assert html.get_text() == "Waits [removed: doubled][added: trebled] in two years."
    assert [d.get_text() for d in html.select("del.app-change--removed .govuk-visually-hidden")] == [
        "[removed: ", "]"]
    assert [i.get_text() for i in html.select("ins.app-change--added .govuk-visually-hidden")] == ["[added: ", "]"]


def test_typed_markup_is_shown_as_text_never_run():
    out = str(tracked("Safe", "Safe <script>alert(1)</script>"))
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_items_are_matched_by_key_so_renumbering_is_a_change_not_a_removal():
    old = {"findings": [_finding("finding:1", 1, "First."), _finding("finding:2", 2, "Second.", evidence=["A"])]}
    new = {"findings": [_finding("finding:2", 1, "Second.", evidence=["A", "B"]), _finding("finding:3", 2, "New.")]}
    _, findings, recommendations = compare(old, new)
    by_key = {item.key: item for item in findings.items}
    assert by_key["finding:2"].status == "changed"
    changed = {f.label: BeautifulSoup(str(f.html), "html.parser").get_text()
               for f in by_key["finding:2"].fields if f.changed}
    assert changed == {"Number": "[removed: 2][added: 1]", "Evidence": "A[added: \nB]"}
    assert by_key["finding:3"].status == "added" and by_key["finding:1"].status == "removed"
    assert "[removed: First.]" in BeautifulSoup(
        str(next(f.html for f in by_key["finding:1"].fields if f.label == "Narrative")), "html.parser").get_text()
    assert recommendations.items == []


def test_an_unchanged_item_is_listed_as_unchanged():
    snap = {"sections": [{"key": "section:1", "kind": "foreword", "heading": "Chair’s foreword", "body": "Hello."}]}
    sections = compare(snap, snap)[0]
    assert [i.status for i in sections.items] == ["unchanged"] and sections.changed == []
