"""Officers write the group's conclusions here; councillors read them.

Every change goes through `services`, which refuses it while the draft is
signed off (`Locked`) or when a colleague saved the item since the form was
opened (`Conflict`); the view then shows the form again with the officer's
text kept, and commits only when everything passed.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from scrutiny.extensions import db
from scrutiny.findings import services
from scrutiny.findings.agreement import signed_off_draft
from scrutiny.findings.forms import (
    ConfirmForm,
    EvidenceLinkForm,
    FindingForm,
    LinkNoteForm,
    OverrideForm,
    RecommendationForm,
    SectionForm,
    SettingsForm,
)
from scrutiny.findings.models import SectionKind
from scrutiny.groups.models import TopicGroup
from scrutiny.security import topic_group_access

bp = Blueprint("findings", __name__)


def _lock_reason(group: TopicGroup) -> str | None:
    return str(services.Locked(group)) if signed_off_draft(group) is not None else None


def _locked_page(group: TopicGroup, reason: str, back: str, status: int = 409):
    db.session.rollback()
    return render_template("findings/locked.html", group=group, reason=reason, back=back), status


def _locked_get(group: TopicGroup, back: str):
    """An edit form is not offered while locked: say why and how to reopen."""
    if request.method == "GET" and (reason := _lock_reason(group)):
        return _locked_page(group, reason, back, status=200)
    return None


def _save(row, action):
    """Run a service call and commit; a refusal comes back as (None, problem)."""
    try:
        result = action()
        db.session.commit()
        return result, None
    except services.Locked as err:
        db.session.rollback()
        return None, ("locked", str(err))
    except services.Conflict as err:
        db.session.rollback()
        return None, ("conflict", str(err))
    except StaleDataError:
        # Both saves passed the version check; the database caught the second.
        db.session.rollback()
        return None, ("conflict", str(services.Conflict(row)))
    except services.EditError as err:
        db.session.rollback()
        return None, ("field", err)


def _problem(form, problem, default_field: str) -> list[str]:
    """Put a refusal where the officer will see it; returns page-level messages."""
    kind, detail = problem
    if kind == "field":
        getattr(form, detail.field or default_field, getattr(form, default_field)).errors.append(str(detail))
        return []
    return [detail]


# Findings --------------------------------------------------------------------

@bp.get("/groups/<slug>/findings")
@topic_group_access("view")
def index(group: TopicGroup):
    return render_template("findings/index.html", group=group, findings=services.findings_of(group),
                           can_manage=group.can_manage(current_user), locked=_lock_reason(group),
                           confirm=ConfirmForm())


def _finding_form(group: TopicGroup, finding, **kwargs) -> FindingForm:
    data = {}
    if finding is not None:
        data = {"title": finding.title, "text": finding.text, "theme_ids": [t.id for t in finding.themes],
                "version": finding.version_id}
    form = FindingForm(data=data, **kwargs)
    form.set_themes(group.themes)
    return form


def _finding_page(group, finding, form=None, link_form=None, problems=(), status=200, conflict=False):
    # Another form's POST (a link added) must not blank this one's fields.
    form = form or _finding_form(group, finding, formdata=None)
    if link_form is None:
        link_form = EvidenceLinkForm(formdata=None)
    link_form.set_evidence(services.citable_evidence(group))
    title = f"Edit finding {finding.number}" if finding else "Add a finding"
    return render_template("findings/form.html", group=group, finding=finding, form=form, link_form=link_form,
                           title=title, problems=list(problems), confirm=ConfirmForm(), conflict=conflict,
                           locked=_lock_reason(group)), status


def _finding_form_page(group: TopicGroup, finding):
    if refused := _locked_get(group, url_for("findings.index", slug=group.slug)):
        return refused
    form = _finding_form(group, finding)
    if not form.validate_on_submit():
        return _finding_page(group, finding, form)
    details = services.FindingDetails(title=form.title.data or "", text=form.text.data or "",
                                      theme_ids=form.theme_ids.data or [])
    saved, problem = _save(finding, lambda: services.save_finding(group, finding, details, current_user,
                                                                  form.version.data))
    if problem is None:
        if finding is None:
            flash(f"Added finding {saved.number}. Now link the evidence it rests on.", "success")
        else:
            flash(f"Saved finding {saved.number}.", "success")
        return redirect(url_for("findings.edit", slug=group.slug, finding_id=saved.id))
    if problem[0] == "conflict" and finding is not None:
        form.version.data = finding.version_id  # saving again now replaces their version, knowingly
    status = 409 if problem[0] in ("locked", "conflict") else 200
    return _finding_page(group, finding, form, problems=_problem(form, problem, "text"), status=status,
                         conflict=problem[0] == "conflict")


@bp.route("/groups/<slug>/findings/new", methods=["GET", "POST"])
@topic_group_access("manage")
def new(group: TopicGroup):
    return _finding_form_page(group, None)


def _finding_or_404(group: TopicGroup, finding_id: int):
    return services.get_finding(group, finding_id) or abort(404)


@bp.route("/groups/<slug>/findings/<int:finding_id>/edit", methods=["GET", "POST"])
@topic_group_access("manage")
def edit(group: TopicGroup, finding_id: int):
    return _finding_form_page(group, _finding_or_404(group, finding_id))


def _confirm_delete(group: TopicGroup, item, delete, *, back: str, what: str, consequence: str, done: str):
    """Ask first (GET), delete on the confirmed POST, refuse while locked."""
    if refused := _locked_get(group, back):
        return refused
    form = ConfirmForm()
    if form.validate_on_submit():
        _, problem = _save(item, delete)
        if problem:
            return _locked_page(group, problem[1], back)
        flash(done, "success")
        return redirect(back)
    return render_template("findings/delete.html", group=group, form=form, back=back, what=what,
                           consequence=consequence)


def _move_item(group: TopicGroup, item, move, *, back: str, anchor: str):
    """Up or down one place (the form's `direction`), back to the item in its list."""
    if ConfirmForm().validate_on_submit():
        _, problem = _save(item, lambda: move(request.form.get("direction")))
        if problem:
            return _locked_page(group, problem[1], back)
    return redirect(f"{back}#{anchor}")


@bp.route("/groups/<slug>/findings/<int:finding_id>/delete", methods=["GET", "POST"])
@topic_group_access("manage")
def delete(group: TopicGroup, finding_id: int):
    finding = _finding_or_404(group, finding_id)
    return _confirm_delete(
        group, finding, lambda: services.delete_finding(group, finding),
        back=url_for("findings.index", slug=group.slug), what=f"finding {finding.number}: {finding.title}",
        consequence="Recommendations resting on it will no longer cite it.",
        done=f"Deleted finding {finding.number}. The findings after it moved up one number.")


@bp.post("/groups/<slug>/findings/<int:finding_id>/move")
@topic_group_access("manage")
def move(group: TopicGroup, finding_id: int):
    finding = _finding_or_404(group, finding_id)
    return _move_item(group, finding, lambda direction: services.move_finding(group, finding, direction),
                      back=url_for("findings.index", slug=group.slug), anchor=f"finding-{finding.id}")


@bp.post("/groups/<slug>/findings/<int:finding_id>/evidence")
@topic_group_access("manage")
def link_add(group: TopicGroup, finding_id: int):
    finding = _finding_or_404(group, finding_id)
    form = EvidenceLinkForm()
    if not form.validate_on_submit():
        return _finding_page(group, finding, link_form=form)
    _, problem = _save(finding, lambda: services.link_evidence(group, finding, form.submission_id.data,
                                                               form.note.data, current_user))
    if problem is None:
        flash(f"Linked the evidence to finding {finding.number}.", "success")
        return redirect(url_for("findings.edit", slug=group.slug, finding_id=finding.id) + "#evidence")
    status = 409 if problem[0] == "locked" else 200
    return _finding_page(group, finding, link_form=form, problems=_problem(form, problem, "submission_id"),
                         status=status)


def _link_or_404(finding, link_id: int):
    return services.get_link(finding, link_id) or abort(404)


@bp.route("/groups/<slug>/findings/<int:finding_id>/evidence/<int:link_id>", methods=["GET", "POST"])
@topic_group_access("manage")
def link_edit(group: TopicGroup, finding_id: int, link_id: int):
    finding = _finding_or_404(group, finding_id)
    link = _link_or_404(finding, link_id)
    if refused := _locked_get(group, url_for("findings.edit", slug=group.slug, finding_id=finding.id)):
        return refused
    form = LinkNoteForm(data={"note": link.note})
    problems = []
    if form.validate_on_submit():
        _, problem = _save(finding, lambda: services.update_link_note(group, finding, link, form.note.data,
                                                                      current_user))
        if problem is None:
            flash("Saved the note.", "success")
            return redirect(url_for("findings.edit", slug=group.slug, finding_id=finding.id) + "#evidence")
        problems = _problem(form, problem, "note")
    return render_template("findings/link_form.html", group=group, finding=finding, link=link, form=form,
                           problems=problems, locked=_lock_reason(group)), 409 if problems else 200


@bp.post("/groups/<slug>/findings/<int:finding_id>/evidence/<int:link_id>/remove")
@topic_group_access("manage")
def link_remove(group: TopicGroup, finding_id: int, link_id: int):
    finding = _finding_or_404(group, finding_id)
    link = _link_or_404(finding, link_id)
    back = url_for("findings.edit", slug=group.slug, finding_id=finding.id)
    if ConfirmForm().validate_on_submit():
        title = link.submission.title
        _, problem = _save(finding, lambda: services.unlink_evidence(group, finding, link, current_user))
        if problem:
            return _locked_page(group, problem[1], back)
        flash(f"Finding {finding.number} no longer cites “{title}”.", "success")
    return redirect(back + "#evidence")


# Recommendations -------------------------------------------------------------

@bp.get("/groups/<slug>/recommendations")
@topic_group_access("view")
def recommendations(group: TopicGroup):
    recs = services.recommendations_of(group)
    return render_template("findings/recommendations.html", group=group, recommendations=recs,
                           checks={r.id: services.quality(r) for r in recs},
                           can_manage=group.can_manage(current_user), locked=_lock_reason(group),
                           confirm=ConfirmForm())


def _recommendation_form(group: TopicGroup, rec, **kwargs) -> RecommendationForm:
    data = {}
    if rec is not None:
        data = {"text": rec.text, "explanation": rec.explanation, "addressed_to": rec.addressed_to,
                "measure": rec.measure, "timescale": rec.timescale, "version": rec.version_id,
                "finding_ids": [f.id for f in rec.findings], "addressee_ids": [o.id for o in rec.addressees]}
    return RecommendationForm(data=data, **kwargs)


def _recommendation_page(group, rec, form=None, override_form=None, override_item=None, problems=(),
                         status=200, conflict=False):
    # An override's POST must not blank the recommendation's fields.
    form = form or _recommendation_form(group, rec, formdata=None)
    form.set_choices(group.findings, services.organisations())
    checks = services.quality(rec) if rec is not None else []
    override_forms = {}
    for check in checks:
        if not check["ok"]:
            override_forms[check["item"]] = (override_form if check["item"] == override_item
                                             else OverrideForm(formdata=None, prefix=check["item"]))
    title = f"Edit recommendation {rec.number}" if rec else "Add a recommendation"
    return render_template("findings/recommendation_form.html", group=group, rec=rec, form=form, title=title,
                           checks=checks, override_forms=override_forms, problems=list(problems),
                           confirm=ConfirmForm(), locked=_lock_reason(group), conflict=conflict), status


def _recommendation_form_page(group: TopicGroup, rec):
    if refused := _locked_get(group, url_for("findings.recommendations", slug=group.slug)):
        return refused
    form = _recommendation_form(group, rec)
    if form.is_submitted() and form.add_organisation.data:
        return _add_organisation(group, rec, form)
    if not form.validate_on_submit():
        return _recommendation_page(group, rec, form)
    details = services.RecommendationDetails(
        text=form.text.data or "", explanation=form.explanation.data or "",
        finding_ids=form.finding_ids.data or [], addressee_ids=form.addressee_ids.data or [],
        addressed_to=form.addressed_to.data or "", measure=form.measure.data or "",
        timescale=form.timescale.data or "")
    saved, problem = _save(rec, lambda: services.save_recommendation(group, rec, details, current_user,
                                                                     form.version.data))
    if problem is None:
        flash(f"Saved recommendation {saved.number}.", "success")
        return redirect(url_for("findings.recommendation_edit", slug=group.slug, rec_id=saved.id))
    if problem[0] == "conflict" and rec is not None:
        form.version.data = rec.version_id
    status = 409 if problem[0] in ("locked", "conflict") else 200
    return _recommendation_page(group, rec, form, problems=_problem(form, problem, "text"), status=status,
                                conflict=problem[0] == "conflict")


def _add_organisation(group: TopicGroup, rec, form: RecommendationForm):
    """The second button: add the organisation, tick it, keep everything typed."""
    if not form.validate():
        return _recommendation_page(group, rec, form)
    org, problem = _save(None, lambda: services.add_organisation(form.new_organisation_name.data,
                                                                 form.new_organisation_kind.data))
    if problem is not None:
        return _recommendation_page(group, rec, form, problems=_problem(form, problem, "new_organisation_name"))
    form.addressee_ids.data = list(dict.fromkeys([*(form.addressee_ids.data or []), org.id]))
    form.new_organisation_name.data = ""
    form.new_organisation_kind.data = ""
    flash(f"Added {org.name} and ticked it below. The recommendation is not saved yet.", "success")
    return _recommendation_page(group, rec, form)


@bp.route("/groups/<slug>/recommendations/new", methods=["GET", "POST"])
@topic_group_access("manage")
def recommendation_new(group: TopicGroup):
    return _recommendation_form_page(group, None)


def _rec_or_404(group: TopicGroup, rec_id: int):
    return services.get_recommendation(group, rec_id) or abort(404)


@bp.route("/groups/<slug>/recommendations/<int:rec_id>/edit", methods=["GET", "POST"])
@topic_group_access("manage")
def recommendation_edit(group: TopicGroup, rec_id: int):
    return _recommendation_form_page(group, _rec_or_404(group, rec_id))


@bp.route("/groups/<slug>/recommendations/<int:rec_id>/delete", methods=["GET", "POST"])
@topic_group_access("manage")
def recommendation_delete(group: TopicGroup, rec_id: int):
    rec = _rec_or_404(group, rec_id)
    return _confirm_delete(
        group, rec, lambda: services.delete_recommendation(group, rec),
        back=url_for("findings.recommendations", slug=group.slug), what=f"recommendation {rec.number}",
        consequence=rec.text,
        done=f"Deleted recommendation {rec.number}. The recommendations after it moved up one number.")


@bp.post("/groups/<slug>/recommendations/<int:rec_id>/move")
@topic_group_access("manage")
def recommendation_move(group: TopicGroup, rec_id: int):
    rec = _rec_or_404(group, rec_id)
    return _move_item(group, rec, lambda direction: services.move_recommendation(group, rec, direction),
                      back=url_for("findings.recommendations", slug=group.slug), anchor=f"recommendation-{rec.id}")


@bp.post("/groups/<slug>/recommendations/<int:rec_id>/quality/<item>")
@topic_group_access("manage")
def quality_override(group: TopicGroup, rec_id: int, item: str):
    rec = _rec_or_404(group, rec_id)
    if item not in services.QUALITY_ITEMS:
        abort(404)
    form = OverrideForm(prefix=item)
    if form.validate_on_submit():
        _, problem = _save(rec, lambda: services.override_quality(group, rec, item, form.reason.data,
                                                                  current_user))
        if problem is None:
            flash(f"Recommendation {rec.number} may go without: {services.QUALITY_ITEMS[item].lower()}.",
                  "success")
            return redirect(url_for("findings.recommendation_edit", slug=group.slug, rec_id=rec.id) + "#quality")
        if problem[0] == "locked":
            return _locked_page(group, problem[1], url_for("findings.recommendations", slug=group.slug))
        _problem(form, problem, "reason")
    return _recommendation_page(group, rec, override_form=form, override_item=item)


@bp.post("/groups/<slug>/recommendations/<int:rec_id>/quality/<item>/withdraw")
@topic_group_access("manage")
def quality_withdraw(group: TopicGroup, rec_id: int, item: str):
    rec = _rec_or_404(group, rec_id)
    back = url_for("findings.recommendation_edit", slug=group.slug, rec_id=rec.id)
    if ConfirmForm().validate_on_submit():
        _, problem = _save(rec, lambda: services.withdraw_override(group, rec, item))
        if problem:
            return _locked_page(group, problem[1], back)
        flash("Withdrew the override: the warning shows again.", "success")
    return redirect(back + "#quality")


# Report text -----------------------------------------------------------------

@bp.get("/groups/<slug>/report-text")
@topic_group_access("view")
def report_text(group: TopicGroup):
    return render_template("findings/report_text.html", group=group, sections=services.sections_of(group),
                           settings=services.settings_of(group), fixed_kinds=services.FIXED_SECTIONS,
                           can_manage=group.can_manage(current_user), locked=_lock_reason(group),
                           confirm=ConfirmForm(), updated_label=services.updated_label)


def _section_page(group, section, kind: str):
    if refused := _locked_get(group, url_for("findings.report_text", slug=group.slug)):
        return refused
    kind = SectionKind(kind)
    data = {"title": section.title, "body": section.body, "version": section.version_id} if section else {}
    form = SectionForm(data=data)
    problems, status, conflict = [], 200, False
    if form.validate_on_submit():
        saved, problem = _save(section, lambda: services.save_section(
            group, section, kind=kind, title=form.title.data, body=form.body.data, by=current_user,
            opened_version=form.version.data))
        if problem is None:
            flash(f"Saved {saved.heading}.", "success")
            return redirect(url_for("findings.report_text", slug=group.slug) + f"#section-{saved.id}")
        if problem[0] == "conflict":
            section = section or services.fixed_section(group, kind)
            form.version.data = section.version_id if section else None
            conflict = True
        problems = _problem(form, problem, "body")
        status = 409 if problem[0] in ("locked", "conflict") else 200
    if kind == SectionKind.CUSTOM:
        title = f"Edit “{section.heading}”" if section else "Add a section"
    else:
        title = f"{'Edit' if section else 'Write'} the {kind.label[0].lower()}{kind.label[1:]}"
    return render_template("findings/section_form.html", group=group, section=section, kind=kind, form=form,
                           title=title, problems=problems, locked=_lock_reason(group), conflict=conflict), status


@bp.route("/groups/<slug>/report-text/new/<kind>", methods=["GET", "POST"])
@topic_group_access("manage")
def section_new(group: TopicGroup, kind: str):
    if kind not in {k.value for k in SectionKind}:
        abort(404)
    if kind != SectionKind.CUSTOM:
        existing = services.fixed_section(group, kind)
        if existing is not None and request.method == "GET":
            return redirect(url_for("findings.section_edit", slug=group.slug, section_id=existing.id))
    return _section_page(group, None, kind)


def _section_or_404(group: TopicGroup, section_id: int):
    return services.get_section(group, section_id) or abort(404)


@bp.route("/groups/<slug>/report-text/<int:section_id>/edit", methods=["GET", "POST"])
@topic_group_access("manage")
def section_edit(group: TopicGroup, section_id: int):
    section = _section_or_404(group, section_id)
    return _section_page(group, section, section.kind)


@bp.route("/groups/<slug>/report-text/<int:section_id>/delete", methods=["GET", "POST"])
@topic_group_access("manage")
def section_delete(group: TopicGroup, section_id: int):
    section = _section_or_404(group, section_id)
    return _confirm_delete(
        group, section, lambda: services.delete_section(group, section),
        back=url_for("findings.report_text", slug=group.slug), what=f"the section “{section.heading}”",
        consequence="Its text will be lost.", done=f"Deleted {section.heading}.")


@bp.post("/groups/<slug>/report-text/<int:section_id>/move")
@topic_group_access("manage")
def section_move(group: TopicGroup, section_id: int):
    section = _section_or_404(group, section_id)
    return _move_item(group, section, lambda direction: services.move_section(group, section, direction),
                      back=url_for("findings.report_text", slug=group.slug), anchor=f"section-{section.id}")


@bp.route("/groups/<slug>/report-text/settings", methods=["GET", "POST"])
@topic_group_access("manage")
def settings(group: TopicGroup):
    if refused := _locked_get(group, url_for("findings.report_text", slug=group.slug)):
        return refused
    current = services.settings_of(group)
    data = {}
    if current is not None:
        data = {"committee": current.committee, "meeting_date": current.meeting_date,
                "reference": current.reference, "version": current.version_id}
    form = SettingsForm(data=data)
    problems, status = [], 200
    if form.validate_on_submit():
        _, problem = _save(current, lambda: services.save_settings(
            group, committee=form.committee.data, meeting_date=form.meeting_date.data,
            reference=form.reference.data, opened_version=form.version.data))
        if problem is None:
            flash("Saved the report settings.", "success")
            return redirect(url_for("findings.report_text", slug=group.slug) + "#settings")
        if problem[0] == "conflict":
            current = services.settings_of(group)
            form.version.data = current.version_id if current else None
        problems = _problem(form, problem, "committee")
        status = 409 if problem[0] in ("locked", "conflict") else 200
    return render_template("findings/settings_form.html", group=group, form=form, current=current,
                           problems=problems, locked=_lock_reason(group)), status


# The evidence map --------------------------------------------------------------

@bp.get("/groups/<slug>/evidence-map")
@topic_group_access("view")
def evidence_map(group: TopicGroup):
    return render_template("findings/evidence_map.html", group=group, map=services.evidence_map(group),
                           can_manage=group.can_manage(current_user))
