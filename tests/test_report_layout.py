"""The final report as a real tagged PDF: laid out by WeasyPrint through the
app's render path (or the build job), read back with pypdf.

Set REPORT_PDF_DIR to keep the PDFs these tests build, to look at them."""
from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from flask import current_app, render_template
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NumberObject

from scrutiny.documents import render
from scrutiny.documents.report import report_context
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from tests import report_data
from tests.report_data import MATERNITY, conclude_demo

BUILT_ON = date(2026, 11, 25)
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
TOC_LINE = re.compile(r"^(?P<title>\S.*?)\s*\.{3,}\s*(?P<page>\d+)$")
PAGE_REF = re.compile(r"(paragraphs? (\d+\.\d+)(?:–\d+\.\d+)?), page (\d+)")


def normalise(text: str) -> str:
    return " ".join(text.split())


def html_for(slug: str) -> tuple[dict, str]:
    ctx = report_context(get_group_by_slug(slug), version=2, built_on=BUILT_ON)
    # As the build job renders it (documents/jobs.py).
    html = render_template("pdf/report.html", report=ctx, council_name=current_app.config["COUNCIL_NAME"],
                           brand_colour=current_app.config["BRAND_COLOUR"])
    return ctx, html


def build(app, slug: str, name: str):
    """(context, the laid-out WeasyPrint document, a pypdf reader of its tagged PDF)."""
    with app.test_request_context():
        ctx, html = html_for(slug)
    fetcher = render.AssetOnlyFetcher()
    document = render.layout(html, fetcher)
    out = io.BytesIO()
    document.write_pdf(out, pdf_variant="pdf/ua-1")
    assert fetcher.refused == []
    if os.environ.get("REPORT_PDF_DIR"):
        (Path(os.environ["REPORT_PDF_DIR"]) / f"{name}.pdf").write_bytes(out.getvalue())
    return ctx, document, PdfReader(io.BytesIO(out.getvalue()))


def texts(reader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def title_of(reader) -> str:
    return (reader.metadata or {}).get("/Title") or reader.xmp_metadata.dc_title.get("x-default")


@pytest.fixture
def draft_pdf(app, demo_case):
    with app.app_context():
        group = conclude_demo(demo_case)
        # The demo loads signed off: its draft goes back to the members.
        report_data.set_signed_off(group, False)
        db.session.commit()
    return build(app, demo_case, "demo-draft")


@pytest.fixture
def signed_off_pdf(app, demo_case):
    with app.app_context():
        group = conclude_demo(demo_case)
        report_data.set_signed_off(group, True)
        db.session.commit()
    return build(app, demo_case, "demo-signed-off")


# ---- the draft ------------------------------------------------------------------------------


def test_every_page_of_a_draft_says_draft_and_so_does_its_title(draft_pdf):
    ctx, _, reader = draft_pdf
    pages = texts(reader)
    assert len(pages) > 6
    for number, text in enumerate(pages, start=1):
        assert "DRAFT" in text, f"page {number} has no DRAFT mark"
    assert title_of(reader).startswith("BAME Health Inequalities (draft): topic group report")
    cover = normalise(pages[0])
    assert "Draft, not yet agreed by the group" in cover and "Topic group report: draft" in cover
    assert "For Health Scrutiny Committee, 14 October 2021" in cover and "Reference: HSC/2021/07" in cover


def _tagged_mcids(reader) -> dict[int, set[int]]:
    """Page index -> MCIDs reachable from the root of the tag tree."""
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    reached: dict[int, set[int]] = {}

    def walk(node, page):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, NumberObject) or isinstance(node, int):
            reached.setdefault(page, set()).add(int(node))
        elif isinstance(node, ArrayObject):
            for child in node:
                walk(child, page)
        elif isinstance(node, DictionaryObject):
            if "/Pg" in node:
                page = pages.get(node.raw_get("/Pg").idnum, page)
            if node.get("/Type") == "/MCR":
                reached.setdefault(page, set()).add(int(node["/MCID"]))
            elif "/K" in node:
                walk(node["/K"], page)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], None)
    return reached


def test_the_draft_mark_is_not_read_as_content(draft_pdf):
    """The mark is painted on every page but left out of the tag tree (as the
    running headers are), so assistive technology reading the tags never
    meets "DRAFT" in the middle of the text; its glyphs are the page's
    largest, which is how it is told apart here."""
    from pypdf.generic import ContentStream

    _, _, reader = draft_pdf
    tagged = _tagged_mcids(reader)
    for number, page in enumerate(reader.pages):
        size, mark, stack = 0.0, None, []
        for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
            if operator == b"BDC":
                props = operands[1]
                stack.append(props.get("/MCID") if isinstance(props, DictionaryObject) else None)
            elif operator == b"EMC" and stack:
                stack.pop()
            elif operator == b"Tf":
                size = float(operands[1])
            elif operator in (b"TJ", b"Tj") and size > 100:
                mark = stack[-1] if stack else None
        assert mark is not None, f"page {number + 1}: no DRAFT mark found"
        assert mark not in tagged.get(number, set()), f"page {number + 1}: the DRAFT mark is tagged"
        assert tagged.get(number), f"page {number + 1}: nothing on it is tagged"  # the page's own text is


def test_the_contents_come_straight_after_the_cover_and_show_real_pages(draft_pdf):
    ctx, _, reader = draft_pdf
    pages = texts(reader)
    assert pages[1].lstrip("DRAFT\n").startswith("Contents") or "Contents\n" in pages[1][:40]
    entries = [(m["title"], int(m["page"])) for line in pages[1].splitlines()
               if (m := TOC_LINE.match(line.strip()))]
    titles = [title for title, _ in entries]
    assert titles[:4] == ["Chair’s foreword", "Key messages and executive summary", "Background and scope",
                          "A note on language"]
    assert [t for t in titles if re.match(r"\d\. ", t)] == [f"{f['number']}. {f['title'] or 'Finding ' + str(f['number'])}"
                                                            for f in ctx["findings"]]
    outline = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline.setdefault(item.title, reader.get_destination_page_number(item) + 1)

    walk(reader.outline)
    for title, number in entries:
        assert outline[title] == number, (title, number, outline.get(title))
    assert len({n for _, n in entries}) > 4  # the numbers are real, not all the same


def test_findings_print_once_with_numbered_paragraphs_and_their_evidence(draft_pdf):
    _, _, reader = draft_pdf
    text = normalise(" ".join(texts(reader)))
    for heading in ("1. Outcomes call for urgent action", "3. Low trust delays treatment",
                    "4. Good practice exists and should be shared"):
        assert text.count(heading) == 2, heading  # the contents, and the finding itself
    assert "Themes: Trust and access, Cultural competence" in text
    # Numbers hang beside their paragraphs (the tag tree reads them first;
    # the content stream paints them before the text, so look at the layout).
    laid_out = normalise(" ".join(page.extract_text(extraction_mode="layout") for page in reader.pages))
    assert "1.2 The integrated care board's figures" in laid_out
    assert "1.3 • Uptake of the prevention programme" in laid_out
    assert "Evidence: [E3, p. 4]" in text
    assert "Evidence: [E2, slide 2] [E1, p. 2]" in text
    assert "Evidence: [E1] and confidential evidence seen by the group" in text
    assert "Evidence: Confidential evidence seen by the group" in text
    assert MATERNITY not in text and "secret-note" not in text and "maternity-case-reviews" not in text
    assert not EMAIL.search(text)


def test_each_recommendation_cites_the_pages_of_its_paragraphs(draft_pdf):
    ctx, _, reader = draft_pdf
    pages = texts(reader)
    destinations = {name: reader.get_destination_page_number(dest) + 1
                    for name, dest in reader.named_destinations.items()}
    start = next(i for i, t in enumerate(pages) if "Recommendation 1\n" in t)
    recommendations = normalise(" ".join(pages[start:]))
    cited = PAGE_REF.findall(recommendations)
    expected = [(p["text"], p["anchor"]) for r in ctx["recommendations"] for p in r["rests_on"]]
    assert [c[0] for c in cited[:len(expected)]] == [text for text, _ in expected]
    for (text, first, page), (_, anchor) in zip(cited, expected):
        assert destinations[anchor] == int(page), (text, anchor)
        assert f"\n{first}" in "\n" + pages[int(page) - 1] or first in pages[int(page) - 1]
    rec_1 = recommendations[recommendations.index("Recommendation 1"):recommendations.index("Recommendation 2")]
    assert "(paragraphs 2.1–2.2, page" in rec_1
    assert "Addressed to All health services: East and North Hertfordshire NHS Trust" in rec_1
    rec_2 = recommendations[recommendations.index("Recommendation 2"):recommendations.index("Recommendation 3")]
    assert "Measure of success Fewer people" in rec_2 and "Timescale Within 12 months" in rec_2


def test_the_foreword_is_the_chairs_own_words_signed(draft_pdf):
    _, _, reader = draft_pdf
    foreword = next(t for t in texts(reader) if "Chair’s foreword\n" in t and "Contents" not in t)
    text = normalise(foreword)
    assert "This review listened to residents whose voices are too often missed." in text
    assert "Councillor Judi Billing MBE Chair of the BAME Health Inequalities topic group" in text
    assert "Thank you to everyone" not in text


def test_witnesses_are_people_with_their_roles(draft_pdf):
    _, _, reader = draft_pdf
    text = normalise(" ".join(texts(reader)))
    assert "Priya Shah, Engagement Manager, Healthwatch Hertfordshire" in text
    assert "Dr Samuel Adeyemi (Head of Equality and Inclusion)" in text


def test_the_pdf_is_tagged_with_a_language_a_title_and_bookmarks(draft_pdf):
    _, _, reader = draft_pdf
    for number, page in enumerate(reader.pages, start=1):
        assert "/StructParents" in page, f"page {number} is outside the tag tree"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == ["BAME Health Inequalities"]
    sections = [item.title for item in reader.outline[1] if not isinstance(item, list)]
    assert sections[:5] == ["Contents", "Chair’s foreword", "Key messages and executive summary",
                            "Background and scope", "A note on language"]
    assert sections[-3:] == ["Appendix A: Witnesses and organisations", "Appendix B: Evidence summaries",
                             "Appendix C: Presentations"]


# ---- signed off -------------------------------------------------------------------------------


def test_once_signed_off_no_page_says_draft_and_the_cover_has_the_meeting_date(signed_off_pdf):
    _, _, reader = signed_off_pdf
    pages = texts(reader)
    for number, text in enumerate(pages, start=1):
        assert "DRAFT" not in text, f"page {number}"
    assert "draft" not in title_of(reader).lower()
    cover = normalise(pages[0])
    assert "Health Scrutiny Committee, 14 October 2021" in cover
    assert "Agreed by the group on 20 September 2021" in cover
    # Never the day it was built.
    assert "25 November 2026" not in normalise(" ".join(pages))


# ---- a long report -----------------------------------------------------------------------------


WORDS = ("waiting assessment carers residents services council health review evidence officers "
         "visits community support staff months report budget pressures providers weeks").split()


def _prose(seed: int, words: int) -> str:
    out = [WORDS[(seed * 7 + i * 13 + i * i) % len(WORDS)] for i in range(words)]
    out[0] = out[0].capitalize()
    return " ".join(out) + "."


@pytest.fixture
def long_pdf(app, second_case):
    """The second case grown to a long report: 14 findings of several
    paragraphs, 16 pieces of evidence, 9 recommendations."""
    from scrutiny.evidence.models import Submission
    from scrutiny.findings.models import Finding, Recommendation
    from scrutiny.invitations.models import Invitation
    from scrutiny.organisations.models import Organisation

    with app.app_context():
        group = get_group_by_slug(second_case)
        orgs = db.session.query(Organisation).order_by(Organisation.name).all()
        invitations = [Invitation(topic_group=group, organisation=orgs[n % len(orgs)], contact_name=f"Witness {n}",
                                  contact_role=f"Service manager {n}", contact_email=f"w{n}@second.example",
                                  deadline=date(2026, 10, 1), status="evidence_submitted") for n in range(4)]
        db.session.add_all(invitations)
        submissions = []
        for n in range(16):
            submissions.append(Submission(
                topic_group=group, invitation=invitations[n % 4], organisation=invitations[n % 4].organisation,
                kind="written", title=f"Written evidence {n + 1}", summary=_prose(n, 60 + 9 * n),
                officer_summary=_prose(n + 3, 40), status="accepted"))
        db.session.add_all(submissions)
        db.session.flush()
        group.findings[0].evidence_links.clear()
        db.session.flush()
        from scrutiny.findings.models import FindingEvidence

        group.findings[0].evidence_links.append(FindingEvidence(submission=submissions[0], note="p. 1"))
        for number in range(2, 15):
            text = "\n\n".join(_prose(number * 10 + k, 45 + 25 * ((number + k) % 4)) for k in range(2 + number % 4))
            finding = Finding(number=number, title=f"Finding about {WORDS[number]}", text=text)
            finding.evidence_links = [FindingEvidence(submission=submissions[(number + k) % 16], position=k,
                                                      note=f"p. {k + 2}") for k in range(2)]
            group.findings.append(finding)
        db.session.flush()
        for number in range(2, 10):
            group.recommendations.append(Recommendation(
                number=number, text=_prose(number, 25), explanation=_prose(number + 1, 40),
                addressees=orgs[: 1 + number % 2], measure=_prose(number + 2, 12), timescale="By March 2027",
                findings=[group.findings[n] for n in sorted({(number * 3) % 14, (number * 5) % 14})]))
        report_data.set_sections(group, [("foreword", "", _prose(1, 120)), ("summary", "", _prose(2, 150)),
                                         ("conclusions", "", _prose(3, 90))])
        db.session.commit()
    return build(app, second_case, "second-case-long")


def _used_height(page) -> tuple[float, float]:
    """(height the content takes on this page, height there is)."""
    from weasyprint.formatting_structure import boxes

    page_box = page._page_box
    root = next(child for child in page_box.children if not isinstance(child, boxes.MarginBox))
    top = page_box.content_box_y()
    bottom = max((box.position_y + box.margin_height() for box in root.descendants()
                  if isinstance(box, (boxes.LineBox, boxes.ReplacedBox, boxes.TableBox))), default=top)
    return bottom - top, page_box.height


def _starts_with_a_forced_break(page) -> bool:
    """Whether a box opening the page (one before its first line of text)
    asked for a new page."""
    from weasyprint.formatting_structure import boxes

    root = next(child for child in page._page_box.children if not isinstance(child, boxes.MarginBox))
    for box in root.descendants():
        if isinstance(box, boxes.LineBox):
            return False
        if box.style["break_before"] in ("page", "left", "right", "recto", "verso"):
            return True
    return False


def test_no_page_is_left_nearly_empty_but_before_a_new_section(long_pdf):
    """A page less than half full is only allowed where the next page starts
    a section on a new page (the cover, the contents, a short foreword):
    never because a long block refused to break."""
    _, document, reader = long_pdf
    assert len(document.pages) >= 12
    for number, (page, following) in enumerate(zip(document.pages, document.pages[1:]), start=1):
        used, height = _used_height(page)
        if used < 0.5 * height:
            assert _starts_with_a_forced_break(following), (
                f"page {number} is {used / height:.0%} full and page {number + 1} goes on with the same section")


def test_a_long_reports_citations_land_on_their_pages(long_pdf):
    ctx, _, reader = long_pdf
    destinations = {name: reader.get_destination_page_number(dest) + 1
                    for name, dest in reader.named_destinations.items()}
    pages = texts(reader)
    start = next(i for i, t in enumerate(pages) if "Recommendation 1\n" in t)
    cited = PAGE_REF.findall(normalise(" ".join(pages[start:])))
    expected = [p["anchor"] for r in ctx["recommendations"] for p in r["rests_on"]]
    assert len(cited) == len(expected) > 10
    assert [destinations[anchor] for anchor in expected] == [int(page) for _, _, page in cited]
    assert len({int(page) for _, _, page in cited}) > 2  # findings spread over several pages
