"""The migrations build exactly the models' schema, and come down cleanly, on
SQLite and on PostgreSQL (whichever TEST_DATABASE_URL names)."""
import os

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from scrutiny.extensions import db
from tests.conftest import make_app
from tests.services import scratch_database


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_match_the_models_and_go_down_and_up_again(redis_url, tmp_path):
    with scratch_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        app = make_app(url, redis_url)
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
            assert diff == []
            assert _tables(db.engine) == set(db.metadata.tables)

            downgrade(revision="base")
            assert _tables(db.engine) == set()

            upgrade()
            assert _tables(db.engine) == set(db.metadata.tables)
            db.engine.dispose()
