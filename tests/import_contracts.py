"""A custom import-linter contract (see .importlinter): a feature's views
talk to their own feature's services only.

Written as a rule over package names rather than one `forbidden` contract per
feature, so a feature added later (outbox, findings' views) is covered the
day it appears, without anyone remembering to list it.
"""
from __future__ import annotations

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _feature_and_layer(module: str, root: str) -> tuple[str, str] | None:
    """("groups", "views") for scrutiny.groups.views or scrutiny.groups.views.x."""
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != root:
        return None
    return parts[1], parts[2]


class ViewsUseOwnServicesContract(Contract):
    """No module `<root>.<feature>.<views>` imports `<root>.<other>.<services>`
    directly. Going through one's own services is allowed (and is the point:
    they orchestrate the others); `allowed` lists `importer_feature:imported_feature`
    pairs that are deliberate (a feature that is only a front end over others)."""

    type_name = "views_use_own_services"

    root = fields.StringField()
    views = fields.SetField(subfield=fields.StringField())
    services = fields.SetField(subfield=fields.StringField())
    allowed = fields.SetField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        allowed = set(self.allowed or ())
        illegal = []
        for importer in sorted(graph.modules):
            place = _feature_and_layer(importer, self.root)
            if place is None or place[1] not in self.views:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = _feature_and_layer(imported, self.root)
                if (target is None or target[1] not in self.services or target[0] == place[0]
                        or f"{place[0]}:{target[0]}" in allowed):
                    continue
                lines = sorted({d["line_number"] for d in graph.get_import_details(
                    importer=importer, imported=imported)})
                illegal.append((importer, imported, lines))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["illegal"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(f"{importer} -> {imported} ({where})", bold=False)
        output.new_line()
        output.print("Call your own feature's services, which may call the other feature's.")
