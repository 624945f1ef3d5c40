"""The demo and the second case carry the group's conclusions whole, so
`make run` shows findings resting on evidence and a report ready to build."""
from __future__ import annotations

from scrutiny.findings import checks
from scrutiny.findings.services import quality
from scrutiny.groups.services import get_group_by_slug


def test_the_demo_findings_rest_on_accepted_evidence_and_the_report_text_is_there(app, demo_case, browser):
    from scrutiny.demo.loader import load_case

    with app.app_context():
        load_case()  # a second load changes nothing
        group = get_group_by_slug(demo_case)
        assert [f.number for f in group.findings] == [1, 2, 3, 4, 5]
        for finding in group.findings:
            assert finding.title and finding.themes
            assert finding.text.count("\n\n") >= 1  # several paragraphs
            assert finding.evidence_links
            assert all(link.submission.status == "accepted" for link in finding.evidence_links)
        kinds = {link.submission.kind for f in group.findings for link in f.evidence_links}
        assert "minutes" in kinds
        assert not checks.blocking(group)
        for rec in group.recommendations:
            assert rec.findings and rec.addressees
            assert all(item["ok"] for item in quality(rec)), rec.number
        sections = {s.kind: s for s in group.report_sections}
        assert {"foreword", "summary", "conclusions", "custom"} <= set(sections)
        assert "gather dust on a shelf" in sections["foreword"].body
        assert group.report_settings.committee == "Health Scrutiny Committee"
        assert group.report_settings.reference == "HSC/2021/BAME"

    browser.sign_in("officer@example.org", "scrutiny-demo")
    page = browser.get(f"/groups/{demo_case}/evidence-map")
    assert page.status_code == 200
    assert "nothing here stops the report being built" in page.text


def test_the_second_case_has_its_own_report_text_and_settings(app, second_case):
    with app.app_context():
        group = get_group_by_slug(second_case)
        assert group.findings[0].title == "Waits for assessments have doubled"
        assert [t.name for t in group.findings[0].themes] == ["Assessments", "Home care"]
        assert [f.number for f in group.recommendations[0].findings] == [1]
        assert [s.kind for s in group.report_sections] == ["foreword", "summary", "conclusions"]
        assert group.report_settings.reference == "AHSP/2027/03"
