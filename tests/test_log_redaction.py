"""A link's token is a working key: it never reaches a log, whichever logger writes."""
import logging

import pytest
from sqlalchemy.exc import OperationalError

from scrutiny.invitations import services as invitations
from tests.conftest import limiter_back_to, make_app

TOKEN = "a-live-portal-token-0123456789"


def test_a_database_error_on_a_portal_link_logs_the_page_not_its_token(client, caplog, monkeypatch):
    def database_gone(token):
        raise OperationalError("SELECT", {}, Exception("the database went away"))

    monkeypatch.setattr(invitations, "check_token", database_gone)
    with caplog.at_level(logging.ERROR):
        page = client.get(f"/portal/start/{TOKEN}")
    assert page.status_code == 503
    assert "portal.start" in caplog.text  # which page failed is still told
    assert TOKEN not in caplog.text


@pytest.fixture
def root_handler():
    """A handler on the root logger, as a production logging set-up has."""
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    try:
        yield records
    finally:
        logging.getLogger().removeHandler(handler)


def test_any_module_logging_a_link_has_its_token_blanked(app, database_url, redis_url, root_handler):
    make_app(database_url, redis_url, STORAGE_DIR=app.config["STORAGE_DIR"])  # installs the filter
    limiter_back_to(app)
    logging.getLogger("scrutiny.some.module").warning("opened /portal/start/%s by mistake", TOKEN)
    logging.getLogger("rq.worker").warning("job for /reset-password/%s", TOKEN)
    assert root_handler == ["opened /portal/start/[redacted] by mistake", "job for /reset-password/[redacted]"]
