"""The final report's content: the data it is built from, the reg. 22(6)
check, the HTML of the PDF and of the web page, and a real tagged PDF built
from the demo case with WeasyPrint and read back with pypdf."""
from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import render_template
from pypdf import PdfReader

from scrutiny.documents.report import report_context, report_problems
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug

BUILT_ON = date(2026, 11, 25)
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
CONFIDENTIAL_TITLE = "Maternity care and women from BAME backgrounds"
CONFIDENTIAL_FILE = "maternity-case-reviews.pdf"
HEALTH_SERVICES = ["East and North Hertfordshire NHS Trust", "Hertfordshire Community NHS Trust",
                   "Hertfordshire Partnership University NHS Foundation Trust",
                   "Hertfordshire and West Essex Integrated Care Board",
                   "West Hertfordshire Teaching Hospitals NHS Trust"]
SECTION_IDS = ["foreword", "summary", "background", "evidence-gathering", "findings", "recommendations",
               "appendix-a", "appendix-b", "appendix-c"]
ASSETS = Path(__file__).resolve().parent.parent / "scrutiny" / "static" / "build"


def context(app, slug, **kwargs):
    with app.app_context():
        return report_context(get_group_by_slug(slug), version=kwargs.get("version", 1),
                              built_on=kwargs.get("built_on", BUILT_ON))


def problems(app, slug):
    with app.app_context():
        return report_problems(get_group_by_slug(slug))


def normalise(text: str) -> str:
    return " ".join(text.split())


# ---- the context -------------------------------------------------------------------


def test_the_context_holds_the_recommendations_with_their_addressees_and_the_chair(app, demo_case):
    ctx = context(app, demo_case)
    assert ctx["title"] == "BAME Health Inequalities"
    assert ctx["chair"] == "Councillor Judi Billing MBE"
    assert ctx["council_name"] == app.config["COUNCIL_NAME"]
    assert ctx["lead_officer"] == "Sam Patel"
    assert "Councillor Judi Billing MBE" not in ctx["members"] and len(ctx["members"]) == 4
    recs = ctx["recommendations"]
    assert [r["number"] for r in recs] == [1, 2, 3, 4, 5, 6]
    assert [r["addressed_to"] for r in recs] == [
        "All health services", "Mental health services", "All health services", "All health services",
        "Health in Hertfordshire", "The council’s executive"]
    assert recs[0]["addressees"] == HEALTH_SERVICES
    assert recs[1]["addressees"] == ["Hertfordshire Partnership University NHS Foundation Trust"]
    assert recs[5]["addressees"] == [app.config["COUNCIL_NAME"]]  # the demo's council is the configured one
    assert recs[5]["text"].startswith("Set up a further topic group")
    assert all(r["explanation"] for r in recs)
    # The sessions' minutes are accepted evidence too (the demo records them).
    assert ctx["counts"] == {"sessions": 2, "witnesses": 4, "organisations": 4, "evidence": 5,
                             "findings": 5, "recommendations": 6}
    assert ctx["start_date"] == "2021-03-01" and ctx["end_date_text"] == "31 July 2021"
    assert ctx["aim"].startswith("Concern grew during the Covid-19 pandemic")
    assert ctx["scope"].startswith("## Why this review")


def test_findings_are_grouped_by_theme_in_theme_order_with_the_rest_last(app, demo_case):
    ctx = context(app, demo_case)
    groups = ctx["findings_by_theme"]
    # Themes in the group's order (Diabetes, Mental health, Maternity, Trust and
    # access, Cultural competence); only those with findings. Every demo
    # finding has a theme now, so there is no "Other findings".
    assert [g["heading"] for g in groups] == ["Diabetes", "Trust and access", "Cultural competence"]
    assert [[f["number"] for f in g["findings"]] for g in groups] == [[1, 4], [3, 5], [2]]
    assert all(f["theme"] == g["theme"] for g in groups for f in g["findings"])


def test_evidence_references_resolve_to_appendix_entries_that_share_the_theme(app, demo_case):
    ctx = context(app, demo_case)
    evidence = {e["anchor"]: e for e in ctx["evidence"]}
    assert [e["ref"] for e in ctx["evidence"]] == ["E1", "E2", "E3", "E4", "E5"]
    refs = {f["number"]: [r["ref"] for r in f["references"]] for g in ctx["findings_by_theme"] for f in g["findings"]}
    assert refs == {1: ["E3"], 4: ["E3"], 3: ["E1", "E2"], 5: ["E1", "E2"], 2: ["E1"]}
    for group in ctx["findings_by_theme"]:
        for finding in group["findings"]:
            for ref in finding["references"]:
                entry = evidence[ref["anchor"]]
                assert ref["ref"] == entry["ref"] == f"E{entry['number']}"
                assert finding["theme"] in entry["themes"]
                assert finding["number"] in entry["cited_by"]
    # Every presentation points at its own evidence entry.
    assert [(p["evidence_ref"], p["title"]) for p in ctx["presentations"]] == [
        ("E1", "What residents told us about health services"),
        ("E2", "Mental health services and BAME communities")]
    for p in ctx["presentations"]:
        assert evidence[p["evidence_anchor"]]["title"] == p["title"]


def test_sessions_witnesses_and_presentations(app, demo_case):
    ctx = context(app, demo_case)
    first, second = ctx["sessions"]
    assert first["title"] == "Evidence session 1: NHS services"
    assert first["date_text"] == "Wednesday 12 May 2021" and first["time_text"] == "14:00 to 16:30"
    assert [(p["organisation"], p["name"], p["attended"]) for p in second["presenters"]] == [
        ("Healthwatch Hertfordshire", "Priya Shah", True)]
    # The organisation that declined (Communities 1st) is not a participant.
    names = [o["name"] for o in ctx["organisations"]]
    assert "Communities 1st" not in names and "Healthwatch Hertfordshire" in names
    assert {w["name"] for w in ctx["witnesses"]} == {"Priya Shah", "Dr Samuel Adeyemi", "Fiona Marsh",
                                                     "Maternity Services Lead"}
    files = [f for p in ctx["presentations"] for f in p["files"]]
    assert [(f["name"], f["pages"], f["format"]) for f in files] == [
        ("healthwatch-community-voices.pdf", 1, "PDF"), ("mental-health-services-presentation.pdf", 1, "PDF")]
    assert all("beside this report" in f["where"] and f["name"] in f["where"] for f in files)
    assert ctx["presentations"][0]["session"] == "Evidence session 2: community voices"
    assert ctx["presentations"][0]["session_date_text"] == "26 May 2021"
    # Nothing in the demo is written evidence from a community group.
    assert ctx["community_engagement"] == []


def test_confidential_evidence_and_files_never_appear(app, demo_case):
    from scrutiny.evidence.models import EvidenceFile, Submission

    dump = json.dumps(context(app, demo_case), sort_keys=True)
    assert CONFIDENTIAL_TITLE not in dump and CONFIDENTIAL_FILE not in dump
    assert "case reviews" not in dump.lower()

    # Even once accepted, confidential evidence stays out; and a confidential
    # file of published evidence is not listed with it.
    with app.app_context():
        maternity = db.session.query(Submission).filter_by(title=CONFIDENTIAL_TITLE).one()
        maternity.status = "accepted"
        healthwatch_file = db.session.query(EvidenceFile).filter_by(
            original_name="healthwatch-community-voices.pdf").one()
        healthwatch_file.confidential = True
        db.session.commit()
    ctx = context(app, demo_case)
    dump = json.dumps(ctx, sort_keys=True)
    assert CONFIDENTIAL_TITLE not in dump and CONFIDENTIAL_FILE not in dump
    assert "healthwatch-community-voices.pdf" not in dump
    assert ctx["counts"]["evidence"] == 5  # with the sessions' minutes
    assert ctx["presentations"][0]["files"] == []


def test_no_email_address_anywhere_in_the_context(app, demo_case, second_case):
    from scrutiny.evidence.models import Submission

    with app.app_context():
        submission = db.session.query(Submission).filter_by(title="Diabetes outcomes by ethnicity").one()
        submission.summary += " Questions to fiona.marsh@icb.example please."
        submission.officer_summary = "Ask [the analyst](mailto:analyst@icb.example) for the tables."
        # A contact typed as an address (as a CSV import might) is not published either.
        submission.invitation.contact_name = "fiona.marsh@icb.example"
        db.session.commit()
    for slug in (demo_case, second_case):
        dump = json.dumps(context(app, slug), sort_keys=True)
        assert not EMAIL.search(dump), EMAIL.search(dump)
    evidence = {e["ref"]: e for e in context(app, demo_case)["evidence"]}
    assert evidence["E3"]["summary"].endswith("Questions to [e-mail address removed] please.")


def test_the_context_is_plain_json_and_the_same_on_every_call(app, demo_case, second_case):
    for slug in (demo_case, second_case):
        first, again = context(app, slug), context(app, slug)
        assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
        assert json.loads(json.dumps(first)) == first  # nothing but JSON values
    # Only version and date differ between builds of the same data.
    one, two = context(app, demo_case, version=1), context(app, demo_case, version=2, built_on=date(2027, 1, 2))
    assert {k for k in one if one[k] != two[k]} == {"version", "built_on", "date"}


def test_the_second_case_has_its_own_content(app, demo_case, second_case):
    ctx = context(app, second_case)
    assert ctx["chair"] == "Councillor Tom Chairperson"
    assert [r["addressed_to"] for r in ctx["recommendations"]] == ["Adult social care"]
    assert ctx["recommendations"][0]["addressees"] == ["Northshire Adult Social Care"]
    assert [g["heading"] for g in ctx["findings_by_theme"]] == ["Assessments"]
    assert ctx["evidence"] == [] and ctx["sessions"] == [] and ctx["presentations"] == []
    assert ctx["aim"] == "Why residents wait for care assessments, and what would shorten the wait."
    assert "BAME" not in json.dumps(ctx)


# ---- reg. 22(6) ------------------------------------------------------------------------


def test_the_demo_report_has_everything_reg_22_asks_for(app, demo_case):
    assert problems(app, demo_case) == []


def test_a_group_without_evidence_or_participants_is_told_so(app, second_case):
    found = problems(app, second_case)
    assert len(found) == 2, found
    assert "no summary of the evidence considered" in found[0] and "evidence library" in found[0]
    assert "no list of participants" in found[1]


def test_each_missing_part_is_named(app, demo_case):
    from scrutiny.findings.models import Recommendation

    with app.app_context():
        group = get_group_by_slug(demo_case)
        group.scope = "  "
        for rec in db.session.query(Recommendation).filter(Recommendation.number.in_([3, 5])):
            rec.explanation = ""
        db.session.commit()
    found = problems(app, demo_case)
    assert found == [
        "The report does not explain the matter reviewed: write the scope and terms of reference on the "
        "topic group's edit page",
        "Recommendation 3 has no explanation: add one on the recommendations page",
        "Recommendation 5 has no explanation: add one on the recommendations page",
    ]


def test_evidence_without_any_summary_does_not_count(app, demo_case):
    from scrutiny.evidence.models import Submission

    with app.app_context():
        for submission in db.session.query(Submission):
            submission.summary = submission.officer_summary = ""
        db.session.commit()
    found = problems(app, demo_case)
    assert len(found) == 1 and "no summary of the evidence considered" in found[0]


# ---- HTML -------------------------------------------------------------------------------


def render(app, template, ctx):
    with app.test_request_context():
        return render_template(template, report=ctx, council_name=app.config["COUNCIL_NAME"],
                               brand_colour=app.config["BRAND_COLOUR"])


def check_structure(html, ctx):
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find_all("h1")) == 1
    assert soup.h1.get_text(strip=True) == ctx["title"]
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    expected = set(SECTION_IDS) | {e["anchor"] for e in ctx["evidence"]} | {
        g["anchor"] for g in ctx["findings_by_theme"]} | {f["anchor"] for g in ctx["findings_by_theme"]
                                                         for f in g["findings"]}
    assert expected <= ids, expected - ids
    # Every in-page link lands somewhere, and every reference is a link.
    for a in soup.select('a[href^="#"]'):
        assert a["href"][1:] in ids, a
    for g in ctx["findings_by_theme"]:
        for f in g["findings"]:
            for r in f["references"]:
                assert soup.find("a", href=f"#{r['anchor']}", string=f"[{r['ref']}]")
    for table in soup.find_all("table"):
        assert table.find("caption")
        assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
    return soup


def test_the_pdf_html_has_every_section_and_reference(app, demo_case):
    ctx = context(app, demo_case)
    html = render(app, "pdf/report.html", ctx)
    soup = check_structure(html, ctx)
    assert soup.html["lang"] == "en"
    assert soup.title.get_text().startswith("BAME Health Inequalities")
    contents = [a["href"] for a in soup.select("nav.contents a")]
    assert [h for h in contents if h[1:] in SECTION_IDS] == [f"#{s}" for s in SECTION_IDS]
    # The scope is rendered Markdown, its headings under the section's h2.
    assert soup.find("h3", string="Why this review")
    assert "scrutiny-asset:fonts/noto-sans-latin-400-normal.woff2" in html
    assert app.config["BRAND_COLOUR"] in html
    assert not soup.find("link") and not soup.find("img") and not soup.find("script")
    text = normalise(soup.get_text(" "))
    assert CONFIDENTIAL_TITLE not in text and not EMAIL.search(text)


def test_the_web_page_has_the_same_sections_and_references(app, demo_case, second_case):
    for slug in (demo_case, second_case):
        ctx = context(app, slug)
        pdf_ids = {t["id"] for t in BeautifulSoup(render(app, "pdf/report.html", ctx), "html.parser")
                   .find_all(id=True)}
        soup = check_structure(render(app, "documents/report_page.html", ctx), ctx)
        page_ids = {t["id"] for t in soup.find_all(id=True)}
        assert {i for i in pdf_ids if i in SECTION_IDS or i.startswith(("evidence-", "theme-", "finding-"))} <= page_ids
        headings = [h.get_text(strip=True) for h in soup.find_all("h2")]
        for title in ("Contents", "Chair’s foreword", "Executive summary", "Background and scope", "Findings",
                      "Recommendations", "Appendix C: Presentations"):
            assert title in headings


# ---- a real PDF ---------------------------------------------------------------------------


class AssetFetcher:
    """Serves scrutiny-asset: from scrutiny/static/build and refuses the rest,
    recording both (the app's own fetcher lives in documents/render.py)."""

    @staticmethod
    def make():
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class Fetcher(URLFetcher):
            def __init__(self):
                super().__init__(allowed_protocols=())
                self.served, self.refused = [], []

            def fetch(self, url, headers=None):
                path = (ASSETS / url.removeprefix("scrutiny-asset:").lstrip("/")).resolve()
                if not url.startswith("scrutiny-asset:") or ASSETS not in path.parents or not path.is_file():
                    self.refused.append(url)
                    raise ValueError(f"refused: {url}")
                self.served.append(url)
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/woff2"})

        return Fetcher()


def build_pdf(html: str) -> tuple[bytes, object]:
    import weasyprint

    fetcher = AssetFetcher.make()
    pdf = weasyprint.HTML(string=html, base_url="scrutiny-asset:/", url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1")
    return pdf, fetcher


@pytest.fixture
def demo_pdf(app, demo_case):
    ctx = context(app, demo_case)
    pdf, fetcher = build_pdf(render(app, "pdf/report.html", ctx))
    assert sorted(fetcher.served) == ["scrutiny-asset:fonts/noto-sans-latin-400-normal.woff2",
                                      "scrutiny-asset:fonts/noto-sans-latin-700-normal.woff2"]
    assert fetcher.refused == []
    return ctx, PdfReader(io.BytesIO(pdf))


def test_the_pdf_holds_the_chair_and_every_recommendation(demo_pdf):
    ctx, reader = demo_pdf
    text = normalise(" ".join(page.extract_text() for page in reader.pages))
    assert "Councillor Judi Billing MBE" in text
    assert len(ctx["recommendations"]) == 6
    for rec in ctx["recommendations"]:
        assert normalise(rec["text"]) in text, rec["text"]
        assert normalise(rec["explanation"]) in text
    assert "[E3]" in text and "E3. Diabetes outcomes by ethnicity" in text
    # File names may break across lines at their hyphens.
    assert "healthwatch-community-voices.pdf" in re.sub(r"-\s+", "-", text)
    assert CONFIDENTIAL_TITLE not in text and CONFIDENTIAL_FILE not in text
    assert not EMAIL.search(text)


TOC_LINE = re.compile(r"^(?P<title>\S.*?)\s*\.{3,}\s*(?P<page>\d+)$")


def test_the_contents_show_the_pages_the_sections_start_on(demo_pdf):
    ctx, reader = demo_pdf
    pages = [page.extract_text() for page in reader.pages]
    contents_page = next(i for i, t in enumerate(pages) if t.startswith("Contents\n"))
    entries = [(m["title"], int(m["page"])) for line in pages[contents_page].splitlines()
               if (m := TOC_LINE.match(line.strip()))]
    titles = [title for title, _ in entries]
    assert titles[:5] == ["Chair’s foreword", "Executive summary", "Background and scope",
                          "How evidence was gathered", "Findings"]
    assert "Recommendations" in titles and "Appendix C: Presentations" in titles
    headings = [g["heading"] for g in ctx["findings_by_theme"]]
    assert headings == titles[5:5 + len(headings)]

    outline = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline.setdefault(item.title, reader.get_destination_page_number(item) + 1)

    walk(reader.outline)
    for title, number in entries:
        # The first page, other than the contents, with the heading on a line of its own.
        found = next(i + 1 for i, t in enumerate(pages)
                     if i != contents_page and title in (line.strip() for line in t.splitlines()))
        assert number == found == outline[title], (title, number, found, outline.get(title))
    assert len(set(n for _, n in entries)) > 4  # the numbers are real, not all the same


def test_the_pdf_is_tagged_with_a_language_a_title_and_bookmarks(demo_pdf):
    ctx, reader = demo_pdf
    assert len(reader.pages) > 5
    for number, page in enumerate(reader.pages, start=1):
        assert "/StructParents" in page, f"page {number} is outside the tag tree"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    title = (reader.metadata or {}).get("/Title") or (
        reader.xmp_metadata and reader.xmp_metadata.dc_title.get("x-default"))
    assert title and title.startswith("BAME Health Inequalities")
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == ["BAME Health Inequalities"]
    sections = [item.title for item in reader.outline[1] if not isinstance(item, list)]
    assert sections[:4] == ["Chair’s foreword", "Contents", "Executive summary", "Background and scope"]
    assert sections[-3:] == ["Appendix A: Witnesses and organisations", "Appendix B: Evidence summaries",
                             "Appendix C: Presentations"]


def test_a_presentation_pdf_reports_its_own_page_count(app, demo_case):
    """Pages are read from the stored file: a three-page PDF says 3, a
    PowerPoint file says nothing."""
    import weasyprint

    from scrutiny.evidence.models import EvidenceFile, Submission
    from scrutiny.storage import storage
    from tests.files import PPTX_TYPE, make_ooxml

    three_pages = weasyprint.HTML(string="<p>1</p><p style='break-before: page'>2</p>"
                                         "<p style='break-before: page'>3</p>").write_pdf()
    with app.app_context():
        submission = db.session.query(Submission).filter_by(title="Mental health services and BAME communities").one()
        for name, content, content_type in (("slides-long.pdf", three_pages, "application/pdf"),
                                            ("slides.pptx", make_ooxml("pptx"), PPTX_TYPE)):
            blob = storage().put_stream(io.BytesIO(content), max_bytes=len(content))
            submission.files.append(EvidenceFile(
                storage_key=storage().commit(blob), original_name=name, content_type=content_type,
                category="presentation", size=blob.size, sha256=blob.sha256))
        db.session.commit()
    files = {f["name"]: f for p in context(app, demo_case)["presentations"] for f in p["files"]}
    assert files["slides-long.pdf"]["pages"] == 3
    assert files["slides.pptx"]["pages"] is None and files["slides.pptx"]["format"] == "PPTX"
    assert files["mental-health-services-presentation.pdf"]["pages"] == 1
