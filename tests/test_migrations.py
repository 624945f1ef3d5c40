"""The migrations build exactly the models' schema, and come down cleanly, on
SQLite and on PostgreSQL (whichever TEST_DATABASE_URL names)."""
import os

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from scrutiny.evidence.search import include_object, is_search_object
from scrutiny.extensions import db
from tests.conftest import make_app
from tests.services import scratch_database


def _tables(engine) -> set[str]:
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    return {n for n in names if not is_search_object(n)}


def test_migrations_match_the_models_and_go_down_and_up_again(redis_url, tmp_path):
    with scratch_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        app = make_app(url, redis_url)
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
                diff = compare_metadata(context, db.metadata)
            assert diff == []
            assert _tables(db.engine) == set(db.metadata.tables)

            downgrade(revision="base")
            assert _tables(db.engine) == set()

            upgrade()
            assert _tables(db.engine) == set(db.metadata.tables)
            db.engine.dispose()


def test_search_index_objects_come_and_go_with_the_migration(redis_url, tmp_path):
    with scratch_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        app = make_app(url, redis_url)
        with app.app_context():
            upgrade()
            inspector = sa.inspect(db.engine)
            if db.engine.dialect.name == "sqlite":
                assert "submission_search" in inspector.get_table_names()
            else:
                assert "ix_submissions_search" in {i["name"] for i in inspector.get_indexes("submissions")} or \
                    db.session.execute(sa.text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_submissions_search'")).scalar()
            db.session.remove()
            downgrade(revision="0001")
            names = set(sa.inspect(db.engine).get_table_names())
            assert not any(is_search_object(n) for n in names)
            assert "submissions" not in names
            db.engine.dispose()
