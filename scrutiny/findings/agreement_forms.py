"""Forms on the draft page: comments, circulating, answering, signing off, reopening.

The draft page carries many forms at once, so each has a prefix (its fields'
ids stay unique) and leaves the CSRF check to the app-wide CSRFProtect,
which accepts the page's one token for every form on it.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from scrutiny.findings.agreement import MAX_NOTE, MAX_REASON
from scrutiny.findings.comments import MAX_COMMENT
from scrutiny.findings.models import Vote
from scrutiny.forms import choice_list


class _PageForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST before the view runs


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CommentForm(_PageForm):
    body = TextAreaField("Add a comment", widget=GovTextArea(),
                         validators=[DataRequired("Enter your comment"),
                                     Length(max=MAX_COMMENT, message=f"Your comment must be {MAX_COMMENT} "
                                                                     "characters or fewer")],
                         description="Plain text. The lead officer is told of new comments.")
    submit = SubmitField("Add comment", widget=GovSubmitInput())


def comment_form(kind: str, item_id: int, formdata=None) -> CommentForm:
    prefix = f"comment-{kind}-{item_id}"
    return CommentForm(formdata=formdata, prefix=prefix)


class CirculateForm(_PageForm):
    note = TextAreaField("Note to members (optional)", widget=GovTextArea(),
                         validators=[Optional(), Length(max=MAX_NOTE, message=f"The note must be {MAX_NOTE} "
                                                                              "characters or fewer")],
                         description="For example, what changed since the last draft and when you need answers.")
    submit = SubmitField("Send the draft to members for agreement", widget=GovSubmitInput())


class VoteForm(_PageForm):
    # The draft the member read: an answer to a draft replaced meanwhile is refused.
    draft = HiddenField(filters=[_number])
    # The service judges the answer and the reason, so each refusal gets its own message.
    decision = RadioField("Your answer", widget=GovRadioInput(), validate_choice=False,
                          choices=choice_list((v.value, v.label) for v in Vote))
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           validators=[Optional(), Length(max=MAX_REASON, message=f"Your reason must be "
                                                                                  f"{MAX_REASON} characters or "
                                                                                  "fewer")],
                           description="Needed if you disagree; optional otherwise.")
    submit = SubmitField("Send my answer", widget=GovSubmitInput())


class SignOffForm(_PageForm):
    draft = HiddenField(filters=[_number])
    submit = SubmitField("Sign off this draft", widget=GovSubmitInput())


class ReopenForm(_PageForm):
    reason = TextAreaField("Why reopen the signed-off draft?", widget=GovTextArea(),
                           validators=[DataRequired("Give the reason for reopening the signed-off draft"),
                                       Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} "
                                                                      "characters or fewer")],
                           description="Members see this reason with the draft's history.")
    submit = SubmitField("Reopen the draft", widget=GovSubmitInput())
