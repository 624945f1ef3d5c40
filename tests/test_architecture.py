"""The layering rules of .importlinter: kept by the code today, and the
custom rule (views call only their own feature's services) catches what it
should, including in a feature added later."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from tests.import_contracts import ViewsUseOwnServicesContract

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def _check(*imports: tuple[str, str]):
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    contract = ViewsUseOwnServicesContract(name="views", session_options={"root_packages": ["scrutiny"]},
                                           contract_options={"root": "scrutiny", "views": ["views"],
                                                             "services": ["services"], "allowed": ["portal:evidence"]})
    return contract.check(graph, verbose=False)


def test_a_view_calling_another_features_services_is_caught_even_in_a_new_package():
    check = _check(("scrutiny.outbox.views", "scrutiny.invitations.services"),  # a package that is not there yet
                   ("scrutiny.groups.views", "scrutiny.groups.services"),         # its own: fine
                   ("scrutiny.groups.views", "scrutiny.auth.models"),             # another's models: fine
                   ("scrutiny.groups.services", "scrutiny.auth.services"),        # services may call services
                   ("scrutiny.portal.views", "scrutiny.evidence.services"))       # allowed in .importlinter
    assert not check.kept
    assert [(importer, imported) for importer, imported, _ in check.metadata["illegal"]] == [
        ("scrutiny.outbox.views", "scrutiny.invitations.services")]
