"""Why a file is refused, in the witness's words. Every message names the
file, says what is wrong and what to do next."""
from __future__ import annotations

from pathlib import Path

from scrutiny.uploads.kinds import KINDS, SAVE_AS, ZIP_BASED, formats, noun
from scrutiny.uploads.names import a, claimed_extension, human_size, quoted


class UploadRefused(Exception):
    """The upload cannot be taken. ``str(exc)`` is the message for the witness;
    ``code`` is a stable reason for logs and tests (e.g. ``"macros"``)."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


class Candidate:
    """One file being checked: where it is, its name, the form's accepted
    kinds and limits, and the refusals it may get. Each family's inspector
    (``pdf``, ``zips``, ``ooxml``, ``odf``, ``images``, ``text``) reads it."""

    def __init__(self, path: Path, name: str, accepted: dict[str, str],
                 max_inflated_bytes: int, max_zip_entries: int):
        self.path = path
        self.name = name
        self.shown = quoted(name)
        self.claimed = claimed_extension(name)
        self.accepted = accepted
        self.max_inflated_bytes = max_inflated_bytes
        self.max_zip_entries = max_zip_entries

    def refuse(self, message: str, code: str) -> UploadRefused:
        return UploadRefused(message, code)

    def not_allowed(self, actual: str | None = None) -> UploadRefused:
        listed = formats(self.accepted)
        if actual is None:
            return self.refuse(
                f"{self.shown} is not a {listed} file. "
                "Save it in one of those formats and upload it again.",
                "wrong_type",
            )
        really = "" if self.claimed == actual else "really "
        here = " here" if actual in KINDS else ""
        return self.refuse(
            f"{self.shown} is {really}{a(noun(actual))}, which we cannot accept{here}. "
            f"Save it as a {listed} file and upload it again.",
            "wrong_type",
        )

    def mismatch(self, actual: str) -> UploadRefused:
        stem = self.name.rpartition(".")[0]
        renamed = quoted(f"{stem}.{actual}")
        claimed = self.claimed or ""
        if claimed in self.accepted:
            fix = f"rename it to {renamed} or upload the {noun(claimed)} instead."
        else:
            fix = f"rename it to {renamed} and upload it again."
        return self.refuse(
            f"{self.shown} is really {a(noun(actual))}, not {a(noun(claimed))}: {fix}",
            "name_mismatch",
        )

    def invalid(self, family: str | None = None, code: str = "invalid") -> UploadRefused:
        ext = self.claimed if self.claimed in ZIP_BASED else family
        what = noun(ext) if ext else "document"
        return self.refuse(
            f"{self.shown} is not a valid {what}: it may be damaged or not fully saved. "
            "Open it, save it again and upload the new copy.",
            code,
        )

    def macros(self, family: str | None) -> UploadRefused:
        save_as = SAVE_AS.get(family or "", "a PDF")
        return self.refuse(
            f"{self.shown} contains macros. We cannot accept files with macros because they "
            f"can run harmful code. Save a copy as {save_as} and upload that.",
            "macros",
        )

    def embedded_object(self) -> UploadRefused:
        return self.refuse(
            f"{self.shown} contains an embedded object (such as a spreadsheet, equation or "
            "package placed inside it). We cannot accept embedded objects because they can run "
            "harmful code. Paste the content in as a picture or table instead, or save a copy "
            "as a PDF, and upload that.",
            "embedded_object",
        )

    def external_link(self, target: str) -> UploadRefused:
        # The target is the sender's text: shown short, and only as a clue to find it.
        shown_target = quoted(target if len(target) <= 80 else target[:77] + "...")
        return self.refuse(
            f"{self.shown} loads something from outside the file when it is opened "
            f"({shown_target}), such as a template or linked file. We cannot accept that "
            "because it can run harmful code or tell the sender who opened it. Remove the link "
            "(for a Word template: Developer > Document Template, clear the template), or save "
            "a copy as a PDF, and upload that.",
            "external_link",
        )

    def encrypted(self) -> UploadRefused:
        return self.refuse(
            f"{self.shown} is protected with a password. "
            "Remove the password, save it and upload it again.",
            "encrypted",
        )

    def too_big_inside(self, code: str, detail: str) -> UploadRefused:
        return self.refuse(f"{self.shown} {detail}", code)

    def unpacks_too_big(self) -> UploadRefused:
        return self.too_big_inside(
            "zip_bomb",
            f"unpacks to more than {human_size(self.max_inflated_bytes)}, which is more "
            "than we can check. Make it smaller (for example by compressing its "
            "pictures or splitting it into parts) and upload it again.",
        )

    def packed_oddly(self) -> UploadRefused:
        return self.too_big_inside(
            "zip_bomb",
            "is packed in an unusual way that we cannot check safely. Open it, save "
            "it again (or save it as a PDF) and upload the new copy.",
        )
