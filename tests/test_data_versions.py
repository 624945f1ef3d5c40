"""The data counters that let an unchanged document be found current without
reading the group: what moves them, what does not, and that a document is
never called current after a change it would show."""
from sqlalchemy import event, select, update

from scrutiny.data_versions import versions
from scrutiny.documents import services as documents
from scrutiny.documents.models import Document, DocumentKind, DocumentStatus
from scrutiny.extensions import db
from scrutiny.findings.models import Finding
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.models import Organisation

SECOND = "adult-social-care-waiting-times"
DEMO = "bame-health-inequalities"


def _counters(app, slug):
    with app.app_context():
        return versions(get_group_by_slug(slug).id)


def _change(app, change):
    with app.app_context():
        change()
        db.session.commit()


def test_a_group_write_moves_its_own_counter_only_and_a_shared_one_moves_the_councils(app, demo_case, second_case):
    second, demo = _counters(app, SECOND), _counters(app, DEMO)

    def retitle():
        get_group_by_slug(SECOND).findings[0].title = "A new title"
    _change(app, retitle)
    assert _counters(app, SECOND) != second and _counters(app, DEMO) == demo  # the demo's documents stay current

    second, demo = _counters(app, SECOND), _counters(app, DEMO)

    def rename():
        db.session.scalars(select(Organisation)).first().contact_name = "Someone Else"
    _change(app, rename)
    # An organisation is the council's: every group's stamp moves.
    assert _counters(app, SECOND) != second and _counters(app, DEMO) != demo


def test_a_bulk_update_moves_the_council_and_a_rolled_back_change_moves_nothing(app, second_case):
    before = _counters(app, SECOND)
    _change(app, lambda: db.session.execute(update(Finding).values(title=Finding.title + ".")))
    assert _counters(app, SECOND) != before

    before = _counters(app, SECOND)
    with app.app_context():
        get_group_by_slug(SECOND).findings[0].title = "Never kept"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert _counters(app, SECOND) == before


def test_what_no_document_reads_moves_nothing(app, second_case):
    before = _counters(app, SECOND)

    def bookkeeping():
        group = get_group_by_slug(SECOND)
        db.session.add(Document(topic_group=group, kind=DocumentKind.REPORT, subject="", version=99,
                                input_hash="x", status=DocumentStatus.FAILED))
        from scrutiny.audit import services as audit
        audit.record("document_build_requested", obj=group, actor=None)
    _change(app, bookkeeping)
    assert _counters(app, SECOND) == before


def test_an_unchanged_request_reads_no_data_and_a_change_is_never_missed(app, demo_case, run_jobs):
    with app.app_context():
        group = get_group_by_slug(DEMO)
        first, started = documents.request_build(group, DocumentKind.REPORT, by=None)
        assert started
        db.session.remove()
    run_jobs()

    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        group = get_group_by_slug(DEMO)
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            again, started = documents.request_build(group, DocumentKind.REPORT, by=None)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert (again.id, started) == (first.id, False)
        # The counters and the stamped version: not the findings, evidence or witnesses.
        assert len(statements) <= 3, statements
        assert not any("FROM findings" in s or "FROM submissions" in s for s in statements)
        db.session.remove()

    # A change the report shows, made as an officer's page would: the next request builds.
    def reword():
        get_group_by_slug(DEMO).findings[0].text += " Added after the first build."
    _change(app, reword)
    with app.app_context():
        group = get_group_by_slug(DEMO)
        second, started = documents.request_build(group, DocumentKind.REPORT, by=None)
        assert started and second.version == first.version + 1
        db.session.remove()


def test_a_document_found_current_after_an_unrelated_change_is_stamped_again(app, demo_case, run_jobs):
    with app.app_context():
        first, _ = documents.request_build(get_group_by_slug(DEMO), DocumentKind.REPORT, by=None)
        db.session.remove()
    run_jobs()

    def unrelated():
        db.session.scalars(select(Organisation)).first().website = "https://example.org/new"
    _change(app, unrelated)  # moves the council's counter, changes nothing the report prints
    with app.app_context():
        stale_stamp = db.session.get(Document, first.id).inputs_stamp
        group = get_group_by_slug(DEMO)
        again, started = documents.request_build(group, DocumentKind.REPORT, by=None)
        assert (again.id, started) == (first.id, False)  # read, checked, hashed: still current
        assert again.inputs_stamp != stale_stamp
        assert documents.out_of_date(group, [again]) == set()
        spec = documents.kind_of(DocumentKind.REPORT)
        assert again.inputs_stamp == documents.inputs_stamp(group, DocumentKind.REPORT, "", spec,
                                                            documents._variant(spec))
        db.session.remove()
