"""The final report's content: the data it is built from (the group's own
findings, recommendations and report text), what stops a build, and the
HTML of the PDF and of the web page. The PDF itself: test_report_layout.py."""
from __future__ import annotations

import json
import re
from datetime import date

from bs4 import BeautifulSoup
from flask import render_template

from scrutiny.documents.report import report_context, report_problems
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from tests import report_data
from tests.queries import counting_queries
from tests.report_data import MATERNITY, conclude_demo

BUILT_ON = date(2026, 11, 25)
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
CONFIDENTIAL_FILE = "maternity-case-reviews.pdf"
HEALTH_SERVICES = ["East and North Hertfordshire NHS Trust", "Hertfordshire Community NHS Trust",
                   "Hertfordshire Partnership University NHS Foundation Trust",
                   "Hertfordshire and West Essex Integrated Care Board",
                   "West Hertfordshire Teaching Hospitals NHS Trust"]
SECTION_IDS = ["summary", "background", "evidence-gathering", "findings", "recommendations",
               "appendix-a", "appendix-b", "appendix-c"]


def context(app, slug, **kwargs):
    with app.app_context():
        return report_context(get_group_by_slug(slug), version=kwargs.get("version", 1),
                              built_on=kwargs.get("built_on", BUILT_ON))


def problems(app, slug):
    with app.app_context():
        return report_problems(get_group_by_slug(slug))


def change(app, slug, *edits):
    """Apply report_data helpers (functions of the group) and commit."""
    with app.app_context():
        group = get_group_by_slug(slug)
        for edit in edits:
            edit(group)
        db.session.commit()


def normalise(text: str) -> str:
    return " ".join(text.split())


def demo(app, slug):
    with app.app_context():
        conclude_demo(slug)
    return slug


# ---- findings ----------------------------------------------------------------------


def test_findings_print_once_each_in_number_order_with_their_themes(app, demo_case):
    ctx = context(app, demo(app, demo_case))
    findings = ctx["findings"]
    assert [f["number"] for f in findings] == [1, 2, 3, 4, 5]
    assert [f["anchor"] for f in findings] == [f"finding-{n}" for n in range(1, 6)]
    # Finding 3 is under two themes: it appears once, naming both.
    assert findings[2]["themes"] == ["Trust and access", "Cultural competence"]
    # Themes in the group's order, whatever order the finding was given them in.
    assert findings[0]["themes"] == ["Diabetes", "Mental health", "Maternity"]
    assert findings[3]["themes"] == ["Diabetes", "Trust and access"]
    assert findings[0]["title"] == "Outcomes call for urgent action"
    assert "findings_by_theme" not in ctx
    # A finding under no theme is printed all the same, naming none.
    change(app, demo_case, lambda g: report_data.set_themes(g, 4, []))
    findings = context(app, demo_case)["findings"]
    assert [f["number"] for f in findings] == [1, 2, 3, 4, 5] and findings[3]["themes"] == []


def test_a_narrative_is_numbered_paragraphs_each_with_an_anchor(app, demo_case):
    ctx = context(app, demo(app, demo_case))
    paragraphs = ctx["findings"][0]["paragraphs"]
    assert [(p["number"], p["anchor"]) for p in paragraphs] == [
        ("1.1", "paragraph-1-1"), ("1.2", "paragraph-1-2"), ("1.3", "paragraph-1-3"), (None, None),
        ("1.4", "paragraph-1-4")]
    # Each paragraph keeps its own Markdown (the templates render and sanitise it).
    assert paragraphs[0]["markdown"].startswith("Outcome data for **diabetes**")
    assert paragraphs[1]["markdown"].count("\n") == 1  # a paragraph over two lines stays whole
    assert paragraphs[2]["markdown"].startswith("- Uptake") and "- Referrals" in paragraphs[2]["markdown"]
    assert paragraphs[3]["markdown"] == "## Maternity"  # a subheading is not numbered
    assert [p["number"] for p in ctx["findings"][4]["paragraphs"]] == ["5.1", "5.2"]


def test_a_finding_cites_exactly_its_linked_evidence_with_notes(app, demo_case):
    ctx = context(app, demo(app, demo_case))
    titles = {e["ref"]: e["title"] for e in ctx["evidence"]}
    # The sessions' minutes are accepted evidence too (the demo records them).
    assert titles == {"E1": "What residents told us about health services",
                      "E2": "Mental health services and BAME communities", "E3": "Diabetes outcomes by ethnicity",
                      "E4": "Minutes: Evidence session 1: NHS services",
                      "E5": "Minutes: Evidence session 2: community voices"}
    cited = {f["number"]: [r["text"] for r in f["references"]] for f in ctx["findings"]}
    # In the order the officer linked them, whatever the themes say.
    assert cited == {1: ["[E3, p. 4]"], 2: ["[E1]"], 3: ["[E2, slide 2]", "[E1, p. 2]"], 4: ["[E2]"], 5: []}
    for f in ctx["findings"]:
        for r in f["references"]:
            assert r["anchor"] == f"evidence-{r['number']}" and r["ref"] == f"E{r['number']}"
    assert {e["ref"]: e["cited_by"] for e in ctx["evidence"]} == {"E1": [2, 3], "E2": [3, 4], "E3": [1],
                                                                  "E4": [], "E5": []}


def test_evidence_accepted_but_cited_by_no_finding_is_still_in_the_appendix(app, demo_case):
    demo(app, demo_case)
    change(app, demo_case, lambda g: report_data.set_links(g, 1, [("What residents told us about health services", "")]))
    ctx = context(app, demo_case)
    diabetes = next(e for e in ctx["evidence"] if e["title"] == "Diabetes outcomes by ethnicity")
    assert diabetes["cited_by"] == []  # considered by the group, so summarised (reg. 22(6))
    assert [r["ref"] for r in ctx["findings"][0]["references"]] == ["E1"]


def test_confidential_evidence_linked_to_a_finding_is_shown_without_naming_it(app, demo_case):
    """Finding 2 rests on the accepted, confidential maternity submission (with
    a note), finding 5 on nothing else: neither names it, numbers it or
    quotes the note."""
    ctx = context(app, demo(app, demo_case))
    second, fifth = ctx["findings"][1], ctx["findings"][4]
    assert second["confidential_evidence"] is True and [r["ref"] for r in second["references"]] == ["E1"]
    assert fifth["confidential_evidence"] is True and fifth["references"] == []
    assert ctx["findings"][0]["confidential_evidence"] is False
    dump = json.dumps(ctx, sort_keys=True)
    for secret in (MATERNITY, CONFIDENTIAL_FILE, "case review", "secret-note", "maternity@acute-trust"):
        assert secret not in dump, secret
    # The five accepted items that are not confidential (the sessions' minutes among them).
    assert ctx["counts"]["evidence"] == 5 and len(ctx["evidence"]) == 5
    # ... and it stops nothing: confidential evidence is evidence the group saw.
    assert problems(app, demo_case) == []


def test_a_confidential_file_of_published_evidence_is_not_listed(app, demo_case):
    from scrutiny.evidence.models import EvidenceFile

    demo(app, demo_case)
    with app.app_context():
        db.session.query(EvidenceFile).filter_by(original_name="healthwatch-community-voices.pdf").one() \
            .confidential = True
        db.session.commit()
    ctx = context(app, demo_case)
    assert "healthwatch-community-voices.pdf" not in json.dumps(ctx)
    assert ctx["presentations"][0]["files"] == []


# ---- recommendations ----------------------------------------------------------------


def test_each_recommendation_names_its_addressees_and_cites_its_paragraphs(app, demo_case):
    demo(app, demo_case)

    def no_measure(group):  # the quality check warns; the report prints nothing in their place
        report_data.recommendation(group, 1).measure = report_data.recommendation(group, 1).timescale = ""

    change(app, demo_case, no_measure)
    ctx = context(app, demo_case)
    recs = ctx["recommendations"]
    assert [r["number"] for r in recs] == [1, 2, 3, 4, 5, 6]
    assert recs[0]["addressees"] == HEALTH_SERVICES and recs[0]["addressed_to"] == "All health services"
    assert recs[1]["addressees"] == ["Hertfordshire Partnership University NHS Foundation Trust"]
    # A label that only repeats the one organisation's name is not printed twice.
    assert recs[4]["addressees"] == ["Health in Hertfordshire"] and recs[4]["addressed_to"] == ""
    assert recs[1]["measure"].startswith("Fewer people") and recs[1]["timescale"] == "Within 12 months"
    assert recs[0]["measure"] == "" and recs[0]["timescale"] == ""
    assert [r["findings"] for r in recs] == [[2], [1, 3], [2, 3], [1, 4], [4, 5], [1]]
    assert [(p["text"], p["anchor"]) for p in recs[1]["rests_on"]] == [
        ("paragraphs 1.1–1.4", "paragraph-1-1"), ("paragraphs 3.1–3.2", "paragraph-3-1")]
    # A finding of one paragraph is cited as one.
    change(app, demo_case, lambda g: setattr(report_data.finding(g, 3), "text", "Trust is low."))
    assert [p["text"] for p in context(app, demo_case)["recommendations"][1]["rests_on"]] == [
        "paragraphs 1.1–1.4", "paragraph 3.1"]
    assert all(r["explanation"] for r in recs)


def test_a_recommendation_resting_on_no_finding_cites_nothing(app, second_case):
    change(app, second_case, lambda g: setattr(report_data.recommendation(g, 1), "findings", []))
    ctx = context(app, second_case)
    (rec,) = ctx["recommendations"]
    assert rec["findings"] == [] and rec["rests_on"] == []
    assert rec["addressees"] == ["Northshire Adult Social Care"] and rec["addressed_to"] == "Adult social care"


# ---- report text, settings, sign-off --------------------------------------------------------


def test_report_text_comes_from_the_groups_sections(app, demo_case):
    ctx = context(app, demo(app, demo_case))
    assert ctx["foreword"] == {
        "anchor": "foreword", "heading": "Chair’s foreword",
        "body": "This review listened to residents whose voices are too often missed.\n\n"
                "I thank everyone who shared their experience with us.",
        "signature": "Councillor Judi Billing MBE",
        "signature_role": "Chair of the BAME Health Inequalities topic group"}
    assert ctx["summary"]["heading"] == "Key messages and executive summary"
    assert ctx["summary"]["body"].startswith("Health services in the county")
    assert ctx["conclusions"]["body"] == "Change needs every part of the health system."
    assert ctx["sections"] == [{"anchor": "section-1", "heading": "A note on language",
                                "body": "We say *BAME* because the witnesses did."}]


def test_no_foreword_typed_means_no_foreword(app, demo_case):
    demo(app, demo_case)
    change(app, demo_case, lambda g: report_data.set_sections(g, [
        ("foreword", "", "   "), ("custom", "Later", "Second."), ("custom", "Sooner", "First.")]))
    ctx = context(app, demo_case)
    assert ctx["foreword"] is None and ctx["summary"] is None and ctx["conclusions"] is None
    assert [s["heading"] for s in ctx["sections"]] == ["Later", "Sooner"]  # in the officer's order
    html = render(app, "pdf/report.html", ctx)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find(id="foreword") and "foreword" not in soup.select_one("nav.contents").get_text().lower()
    # Nothing is put in the chair's mouth.
    assert "Thank you to everyone" not in html and "Chair of the" not in html


def test_settings_and_the_draft(app, demo_case):
    demo(app, demo_case)
    # The demo loads signed off: its draft goes back to the members.
    change(app, demo_case, lambda g: report_data.set_signed_off(g, False))
    ctx = context(app, demo_case)
    assert ctx["draft"] is True and ctx["signed_off"] is None
    assert ctx["document_title"] == "BAME Health Inequalities (draft)"
    assert (ctx["committee"], ctx["meeting_date"], ctx["meeting_date_text"], ctx["reference"]) == (
        "Health Scrutiny Committee", "2021-10-14", "14 October 2021", "HSC/2021/07")
    assert ctx["logo"] is None

    change(app, demo_case, lambda g: report_data.set_signed_off(g, True))
    ctx = context(app, demo_case)
    assert ctx["draft"] is False and ctx["document_title"] == "BAME Health Inequalities"
    assert ctx["signed_off"] == {"draft_number": 1, "on": "2021-09-20", "on_text": "20 September 2021"}
    # A draft circulated again after sign-off (reopened) is a draft again.
    change(app, demo_case, lambda g: report_data.set_signed_off(g, False))
    assert context(app, demo_case)["draft"] is True


def test_the_demo_as_loaded_is_agreed_and_its_cover_says_so(app, demo_case):
    """The demo's members agreed its draft and the chair signed it off, so
    its report is the agreed one, dated by the meeting it goes to."""
    ctx = context(app, demo_case)
    assert ctx["draft"] is False and ctx["document_title"] == "BAME Health Inequalities"
    assert ctx["signed_off"] == {"draft_number": 1, "on": "2021-07-20", "on_text": "20 July 2021"}
    soup = BeautifulSoup(render(app, "pdf/report.html", ctx), "html.parser")
    cover = normalise(soup.select_one("section.cover").get_text(" "))
    assert "Health Scrutiny Committee, 16 September 2021" in cover and "Reference: HSC/2021/BAME" in cover
    assert "Agreed by the group on 20 July 2021" in cover and "draft" not in cover.lower()
    assert not soup.find(class_="watermark")


def test_the_context_holds_the_group_and_its_people(app, demo_case):
    ctx = context(app, demo(app, demo_case))
    assert ctx["title"] == "BAME Health Inequalities"
    assert ctx["chair"] == "Councillor Judi Billing MBE"
    assert ctx["council_name"] == app.config["COUNCIL_NAME"]
    assert ctx["lead_officer"] == "Sam Patel"
    assert "Councillor Judi Billing MBE" not in ctx["members"] and len(ctx["members"]) == 4
    # The sessions' minutes are accepted evidence too.
    assert ctx["counts"] == {"sessions": 2, "witnesses": 4, "organisations": 4, "evidence": 5,
                             "findings": 5, "recommendations": 6}
    assert ctx["start_date"] == "2021-03-01" and ctx["end_date_text"] == "31 July 2021"
    assert ctx["scope"].startswith("## Why this review")


def test_witnesses_are_named_with_their_role_and_organisation(app, demo_case):
    ctx = context(app, demo(app, demo_case))
    witnesses = {w["name"]: (w["role"], w["organisation"]) for w in ctx["witnesses"]}
    assert witnesses["Priya Shah"] == ("Engagement Manager", "Healthwatch Hertfordshire")
    assert witnesses["Maternity Services Lead"] == ("", "East and North Hertfordshire NHS Trust")
    first, second = ctx["sessions"]
    assert [(p["name"], p["role"]) for p in second["presenters"]] == [("Priya Shah", "Engagement Manager")]
    healthwatch = next(o for o in ctx["organisations"] if o["name"] == "Healthwatch Hertfordshire")
    assert healthwatch["witnesses"] == ["Priya Shah (Engagement Manager)"]
    assert ctx["presentations"][0]["witness_role"] == "Engagement Manager"
    # The organisation that declined (Communities 1st) is not a participant.
    assert "Communities 1st" not in [o["name"] for o in ctx["organisations"]]
    html = render(app, "pdf/report.html", ctx)
    assert "Priya Shah, Engagement Manager, Healthwatch Hertfordshire" in normalise(
        BeautifulSoup(html, "html.parser").get_text(" "))


def test_sessions_and_presentations(app, demo_case):
    ctx = context(app, demo(app, demo_case))
    first, second = ctx["sessions"]
    assert first["title"] == "Evidence session 1: NHS services"
    assert first["date_text"] == "Wednesday 12 May 2021" and first["time_text"] == "14:00 to 16:30"
    files = [f for p in ctx["presentations"] for f in p["files"]]
    assert [(f["name"], f["pages"], f["format"]) for f in files] == [
        ("healthwatch-community-voices.pdf", 1, "PDF"), ("mental-health-services-presentation.pdf", 1, "PDF")]
    assert [(p["evidence_ref"], p["title"]) for p in ctx["presentations"]] == [
        ("E1", "What residents told us about health services"),
        ("E2", "Mental health services and BAME communities")]
    assert ctx["community_engagement"] == []


def test_no_email_address_anywhere_in_the_context(app, demo_case, second_case):
    from scrutiny.evidence.models import Submission

    demo(app, demo_case)
    with app.app_context():
        group = get_group_by_slug(demo_case)
        submission = db.session.query(Submission).filter_by(title="Diabetes outcomes by ethnicity").one()
        submission.summary += " Questions to fiona.marsh@icb.example please."
        submission.officer_summary = "Ask [the analyst](mailto:analyst@icb.example) for the tables."
        # A contact typed as an address (as a CSV import might) is not published either.
        submission.invitation.contact_name = "fiona.marsh@icb.example"
        submission.invitation.contact_role = "write to head@icb.example"
        report_data.finding(group, 1).text += "\n\nAsk data@icb.example."
        report_data.finding(group, 1).evidence_links[0].note = "from a@b.example"
        report_data.recommendation(group, 2).measure = "Ask m@icb.example"
        group.report_sections[0].body += " Write to chair@council.example."
        db.session.commit()
    for slug in (demo_case, second_case):
        dump = json.dumps(context(app, slug), sort_keys=True)
        assert not EMAIL.search(dump), EMAIL.search(dump)
    evidence = {e["ref"]: e for e in context(app, demo_case)["evidence"]}
    assert evidence["E3"]["summary"].endswith("Questions to [e-mail address removed] please.")


def test_the_context_is_plain_json_and_the_same_on_every_call(app, demo_case, second_case):
    demo(app, demo_case)
    for slug in (demo_case, second_case):
        first, again = context(app, slug), context(app, slug)
        assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
        assert json.loads(json.dumps(first)) == first  # nothing but JSON values
    # Only version and date differ between builds of the same data, signed off or not.
    for signed in (False, True):
        change(app, demo_case, lambda g, s=signed: report_data.set_signed_off(g, s))
        one, two = context(app, demo_case, version=1), context(app, demo_case, version=2,
                                                                built_on=date(2027, 1, 2))
        assert {k for k in one if one[k] != two[k]} == {"version", "built_on", "date"}
        assert "2027" not in json.dumps({k: v for k, v in two.items() if k not in ("version", "built_on", "date")})


def test_the_second_case_has_its_own_content(app, demo_case, second_case):
    ctx = context(app, second_case)
    assert ctx["chair"] == "Councillor Tom Chairperson"
    assert [f["themes"] for f in ctx["findings"]] == [["Assessments", "Home care"]]
    assert [(p["number"], p["markdown"]) for p in ctx["findings"][0]["paragraphs"]] == [
        ("1.1", "Waits for assessments doubled in two years."),
        ("1.2", "Carers told the group that while they wait they do not know whom to call, and that home care "
                "often starts weeks after the assessment is done.")]
    assert ctx["evidence"] == [] and ctx["sessions"] == [] and ctx["presentations"] == []
    assert ctx["foreword"]["body"].startswith("Nobody should wait months")
    assert ctx["foreword"]["signature"] == "Councillor Tom Chairperson"
    assert (ctx["committee"], ctx["meeting_date_text"], ctx["reference"]) == (
        "Adults and Health Scrutiny Panel", "18 March 2027", "AHSP/2027/03")
    # Never circulated, so a draft.
    assert ctx["draft"] is True and ctx["signed_off"] is None
    assert "BAME" not in json.dumps(ctx)


def test_checking_then_hashing_reads_the_evidence_once(app, demo_case):
    """A build request checks the report, then hashes its context: the
    second step reuses what the first read (bench/ times the whole request)."""
    demo(app, demo_case)
    with app.app_context():
        group = get_group_by_slug(demo_case)
        report_problems(group)
        with counting_queries(app) as after_check:
            report_context(group, version=0, built_on=BUILT_ON)
        db.session.commit()  # a new transaction reads afresh
        with counting_queries(app) as alone:
            report_context(group, version=0, built_on=BUILT_ON)
    assert len(after_check) < len(alone), (len(after_check), len(alone))


def test_evidence_changed_in_the_session_is_not_read_from_before(app, demo_case):
    from scrutiny.evidence.models import Submission

    demo(app, demo_case)
    with app.app_context():
        group = get_group_by_slug(demo_case)
        before = report_context(group, version=0, built_on=BUILT_ON)
        assert "Diabetes outcomes by ethnicity" in [e["title"] for e in before["evidence"]]
        db.session.query(Submission).filter_by(title="Diabetes outcomes by ethnicity").one().status = "set_aside"
        after = report_context(group, version=0, built_on=BUILT_ON)
        assert "Diabetes outcomes by ethnicity" not in [e["title"] for e in after["evidence"]]
        assert after["counts"]["evidence"] == before["counts"]["evidence"] - 1


# ---- what stops the build ---------------------------------------------------------------


def test_the_demo_report_has_everything_it_needs(app, demo_case):
    assert problems(app, demo(app, demo_case)) == []


def test_a_finding_without_evidence_or_a_recommendation_without_addressee_is_named(app, demo_case):
    demo(app, demo_case)

    def unlink(group):
        report_data.set_links(group, 4, [])
        report_data.recommendation(group, 5).addressees = []

    change(app, demo_case, unlink)
    assert problems(app, demo_case) == [
        "Finding 4 cites no evidence: link the evidence it rests on on the evidence map "
        "(/groups/bame-health-inequalities/evidence-map)",
        "Recommendation 5 has no addressee: choose the organisations it is addressed to on the evidence map "
        "(/groups/bame-health-inequalities/evidence-map)",
    ]


def test_a_finding_resting_on_evidence_not_accepted_is_named(app, demo_case):
    from scrutiny.evidence.models import Submission

    demo(app, demo_case)
    with app.app_context():
        db.session.query(Submission).filter_by(title="Diabetes outcomes by ethnicity").one().status = "submitted"
        db.session.commit()
    found = problems(app, demo_case)
    assert found == ["Finding 1 rests on “Diabetes outcomes by ethnicity”, which is not accepted for the report: "
                     "accept it in the evidence library, or remove the link on the evidence map "
                     "(/groups/bame-health-inequalities/evidence-map)"]
    # Never cited in the report meanwhile.
    assert context(app, demo_case)["findings"][0]["references"] == []


def test_a_group_without_evidence_or_participants_is_told_so(app, second_case):
    found = problems(app, second_case)
    assert len(found) == 3, found
    assert found[0].startswith("Finding 1 cites no evidence")
    assert "no summary of the evidence considered" in found[1] and "evidence library" in found[1]
    assert "no list of participants" in found[2]


def test_each_missing_part_of_reg_22_is_named(app, demo_case):
    from scrutiny.findings.models import Recommendation

    demo(app, demo_case)
    with app.app_context():
        group = get_group_by_slug(demo_case)
        group.scope = "  "
        for rec in db.session.query(Recommendation).filter(Recommendation.number.in_([3, 5])):
            rec.explanation = ""
        db.session.commit()
    assert problems(app, demo_case) == [
        "The report does not explain the matter reviewed: write the scope and terms of reference on the "
        "topic group's edit page",
        "Recommendation 3 has no explanation: add one on the recommendations page",
        "Recommendation 5 has no explanation: add one on the recommendations page",
    ]


def test_evidence_without_any_summary_does_not_count(app, demo_case):
    from scrutiny.evidence.models import Submission

    demo(app, demo_case)
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
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "an id is used twice"
    expected = set(SECTION_IDS) | {e["anchor"] for e in ctx["evidence"]} | {
        f["anchor"] for f in ctx["findings"]} | {
        p["anchor"] for f in ctx["findings"] for p in f["paragraphs"] if p["anchor"]} | {
        r["anchor"] for r in ctx["recommendations"]}
    assert expected <= set(ids), expected - set(ids)
    # Every in-page link lands somewhere, and every reference is a link.
    for a in soup.select('a[href^="#"]'):
        assert a["href"][1:] in ids, a
    for f in ctx["findings"]:
        for r in f["references"]:
            assert soup.find("a", href=f"#{r['anchor']}", string=r["text"])
        # Each finding once.
        assert len(soup.find_all(id=f["anchor"])) == 1
        for p in f["paragraphs"]:
            if p["anchor"]:
                assert soup.find(id=p["anchor"]).get_text(" ", strip=True).startswith(p["number"])
    for r in ctx["recommendations"]:
        for p in r["rests_on"]:
            assert soup.find("a", href=f"#{p['anchor']}", string=p["text"]), p
    for table in soup.find_all("table"):
        assert table.find("caption")
        assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
    return soup


def test_the_pdf_html_has_every_section_and_reference(app, demo_case):
    demo(app, demo_case)
    # A draft (the demo loads signed off), so the watermark is there too.
    change(app, demo_case, lambda g: report_data.set_signed_off(g, False))
    ctx = context(app, demo_case)
    html = render(app, "pdf/report.html", ctx)
    soup = check_structure(html, ctx)
    assert soup.html["lang"] == "en"
    assert soup.title.get_text().startswith("BAME Health Inequalities (draft): topic group report")
    contents = [a["href"] for a in soup.select("nav.contents a")]
    order = ["#foreword", "#summary", "#background", "#section-1", "#evidence-gathering", "#findings",
             "#conclusions", "#recommendations", "#appendix-a", "#appendix-b", "#appendix-c"]
    assert [h for h in contents if not h.startswith("#finding-")] == order
    assert [h for h in contents if h.startswith("#finding-")] == [f"#finding-{n}" for n in range(1, 6)]
    # The contents come straight after the cover.
    assert soup.select_one("section.cover").find_next_sibling(["section", "nav"]).name == "nav"
    # Narratives are rendered Markdown; a typed heading sits under the finding's h3.
    finding_1 = soup.find(id="finding-1")
    assert finding_1.find("strong", string="diabetes") and finding_1.find("h4", string="Maternity")
    assert finding_1.find(id="paragraph-1-3").find("ul")
    assert "Evidence: [E1] and confidential evidence seen by the group" in normalise(
        soup.find(id="finding-2").get_text(" "))
    rec_2 = normalise(soup.find(id="recommendation-2").get_text(" "))
    assert soup.find(id="recommendation-2").find(class_="rests-on").get_text() == (
        "(paragraphs 1.1–1.4; paragraphs 3.1–3.2)")
    assert "Measure of success Fewer people" in rec_2 and "Timescale Within 12 months" in rec_2
    rec_1 = normalise(soup.find(id="recommendation-1").get_text(" "))
    assert "All health services: " + ", ".join(HEALTH_SERVICES[:-1]) + " and " + HEALTH_SERVICES[-1] in rec_1
    assert "Health in Hertfordshire: Health in Hertfordshire" not in normalise(soup.get_text(" "))
    assert soup.select("a.page-ref")  # the PDF adds their page numbers
    assert soup.find(class_="watermark").get_text(strip=True) == "DRAFT"
    assert soup.find(class_="signature").get_text(" ", strip=True).startswith("Councillor Judi Billing MBE")
    assert "scrutiny-asset:fonts/noto-sans-latin-400-normal.woff2" in html
    assert not soup.find("link") and not soup.find("img") and not soup.find("script")
    text = normalise(soup.get_text(" "))
    assert MATERNITY not in text and not EMAIL.search(text)


def test_markdown_in_a_narrative_is_sanitised(app, demo_case):
    demo(app, demo_case)

    def unsafe(group):
        report_data.finding(group, 4).text = "[click](javascript:alert(1)) <script>alert(2)</script>\n\n<b>bold</b>"

    change(app, demo_case, unsafe)
    ctx = context(app, demo_case)
    for template in ("pdf/report.html", "documents/report_page.html"):
        soup = BeautifulSoup(render(app, template, ctx), "html.parser")
        finding = soup.find(id="finding-4")
        assert not finding.find("script") and not finding.find("b")
        assert not finding.select("a[href^=javascript]")
        assert finding.find(id="paragraph-4-2")


def test_the_cover_after_sign_off_carries_the_meeting_date(app, demo_case):
    demo(app, demo_case)
    change(app, demo_case, lambda g: report_data.set_signed_off(g, True))
    ctx = context(app, demo_case)
    soup = BeautifulSoup(render(app, "pdf/report.html", ctx), "html.parser")
    cover = normalise(soup.select_one("section.cover").get_text(" "))
    assert "Health Scrutiny Committee, 14 October 2021" in cover and "Reference: HSC/2021/07" in cover
    assert "Agreed by the group on 20 September 2021" in cover
    assert "25 November 2026" not in cover and "draft" not in cover.lower()
    assert not soup.find(class_="watermark")
    assert soup.title.get_text().startswith("BAME Health Inequalities: topic group report")


def test_the_cover_shows_the_logo_when_there_is_one(app, demo_case):
    ctx = context(app, demo(app, demo_case))
    ctx["logo"] = {"src": "data:image/png;base64,iVBORw0KGgo=", "alt": "Example County Council logo"}
    img = BeautifulSoup(render(app, "pdf/report.html", ctx), "html.parser").select_one("section.cover img")
    assert img["src"].startswith("data:image/png") and img["alt"] == "Example County Council logo"


def test_the_web_page_has_the_same_sections_and_references(app, demo_case, second_case):
    demo(app, demo_case)
    for slug in (demo_case, second_case):
        ctx = context(app, slug)
        pdf_ids = {t["id"] for t in BeautifulSoup(render(app, "pdf/report.html", ctx), "html.parser")
                   .find_all(id=True)}
        soup = check_structure(render(app, "documents/report_page.html", ctx), ctx)
        page_ids = {t["id"] for t in soup.find_all(id=True)}
        assert {i for i in pdf_ids if i in SECTION_IDS or i.startswith(
            ("evidence-", "finding-", "paragraph-", "recommendation-", "section-"))} <= page_ids
        headings = [h.get_text(strip=True) for h in soup.find_all("h2")]
        for title in ("Contents", "Background and scope", "Findings", "Recommendations",
                      "Appendix C: Presentations"):
            assert title in headings
        assert ("Draft: the group has not yet agreed this report" in soup.get_text()) is ctx["draft"]
    assert "Chair’s foreword" in headings or slug == second_case
