"""Active content taken out of a PDF before anyone else opens it.

A witness's PDF is opened by officers, councillors and, in an agenda pack,
by everyone who gets the papers. A PDF can carry more than pages: scripts
(JavaScript) a viewer runs, actions that run by themselves when the file, a
page or a form field is opened (/OpenAction, /AA), commands that start
another program (/Launch), links that fetch or send things elsewhere (/URI,
/GoToR, /GoToE, /SubmitForm, /ImportData) and whole files tucked inside
(/EmbeddedFiles, file attachment annotations). None of it is evidence, so
the copy others download has none of it; the pages, their text and
pictures, and the links within the document (GoTo, named destinations,
bookmarks) stay as they are.

``neutralise(pdf)`` does the work on an open ``pikepdf.Pdf`` (the
publication's scrubbing calls it too, before stripping metadata);
``clean_file(source, target)`` is the same for a file on disk, writing a new
one only when there was something to take out, so an ordinary PDF is kept
byte for byte as it was sent. Both say what they removed (``Removed``), for
the log and for telling the witness.

Only what is still referenced is written when the PDF is saved, so a
script unhooked here is not in the new file at all.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scrutiny.plurals import counted

# Says which rules made a cleaned file: change it when the rules change, and
# agenda packs built under the old ones are out of date (it is in their inputs).
RULES = "1"

# Actions that run code, reach outside the document or send or load data.
# An action of any other type (GoTo, Named, Thread...) stays.
UNSAFE_ACTIONS = ("/JavaScript", "/Launch", "/URI", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData",
                  "/ResetForm", "/Rendition", "/RichMediaExecute")
# Annotations that hold a file, or a player that can run one.
UNSAFE_ANNOTATIONS = ("/FileAttachment", "/RichMedia")
# Where an action hangs: a link's or a field's /A, the document's
# /OpenAction, a pop-up's /PA; /Next chains one action after another.
_ACTION_KEYS = ("/A", "/OpenAction", "/PA")

# What each kind of removal is called, in the log and to a witness (one, many).
KINDS = {
    "JavaScript": ("script", "scripts"),
    "Launch": ("command that opens another program or file", "commands that open other programs or files"),
    "OpenAction": ("action run when the document opens", "actions run when the document opens"),
    "AA": ("action run by opening a page or using a link or form field",
           "actions run by opening a page or using a link or form field"),
    "URI": ("link to a web page", "links to web pages"),
    "GoToR": ("link to another file", "links to other files"),
    "GoToE": ("link to an embedded file", "links to embedded files"),
    "SubmitForm": ("form action that sends data", "form actions that send data"),
    "ImportData": ("form action that loads data", "form actions that load data"),
    "ResetForm": ("form reset action", "form reset actions"),
    "Rendition": ("media player action", "media player actions"),
    "RichMediaExecute": ("media player action", "media player actions"),
    "EmbeddedFile": ("embedded file", "embedded files"),
    "RichMedia": ("embedded media player", "embedded media players"),
    "XFA": ("XFA form (which can hold scripts)", "XFA forms (which can hold scripts)"),
}


class Unreadable(Exception):
    """The PDF cannot be opened to be made safe; the message says why."""


@dataclass
class Removed:
    """How many of each kind of active content were taken out (keys of KINDS)."""

    counts: Counter = field(default_factory=Counter)

    def __bool__(self) -> bool:
        return bool(self.counts)

    def add(self, kind: str, n: int = 1) -> None:
        if n:
            self.counts[kind] += n

    def describe(self) -> str:
        """ "2 scripts, 1 embedded file and 1 link to a web page" """
        parts = [counted(n, *KINDS.get(kind, (kind, kind))) for kind, n in self.counts.most_common()]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    def as_log(self) -> str:
        """ "JavaScript=2 EmbeddedFile=1" """
        return " ".join(f"{kind}={n}" for kind, n in sorted(self.counts.items()))


def _action_type(obj) -> str | None:
    """"JavaScript" for a JavaScript action, None for anything that is not an unsafe action."""
    import pikepdf

    if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") in UNSAFE_ACTIONS:
        return str(obj.get("/S"))[1:]
    return None


def _name_tree_values(node, seen: set) -> list:
    """The values of a name tree (its /Names pairs, through its /Kids)."""
    import pikepdf

    if not isinstance(node, pikepdf.Dictionary) or (node.is_indirect and node.objgen in seen):
        return []
    if node.is_indirect:
        seen.add(node.objgen)
    names = node.get("/Names")
    values = list(names)[1::2] if isinstance(names, pikepdf.Array) else []
    kids = node.get("/Kids")
    for kid in kids if isinstance(kids, pikepdf.Array) else ():
        values += _name_tree_values(kid, seen)
    return values


def _embedded(filespec, files: set) -> None:
    """Note the files a file specification holds (its /EF streams), each once
    however many places name it (the names tree and an attachment's icon)."""
    import pikepdf

    streams = filespec.get("/EF") if isinstance(filespec, pikepdf.Dictionary) else None
    for key in streams.keys() if isinstance(streams, pikepdf.Dictionary) else ():
        stream = streams.get(key)
        files.add(stream.objgen if isinstance(stream, pikepdf.Object) and stream.is_indirect else id(stream))


def _unhook_actions(holder, key: str, removed: Removed) -> None:
    """Drop ``holder[key]`` when it is an unsafe action; drop unsafe actions from a /Next chain."""
    import pikepdf

    value = holder.get(key)
    if key == "/Next" and isinstance(value, pikepdf.Array):
        kept = []
        for action in value:
            kind = _action_type(action)
            if kind:
                removed.add(kind)
            else:
                kept.append(action)
        if len(kept) != len(value):
            holder[key] = pikepdf.Array(kept)
        return
    kind = _action_type(value)
    if kind:
        removed.add(kind)
        del holder[key]


def neutralise(pdf) -> Removed:
    """Take every kind of active content out of an open ``pikepdf.Pdf``, in place."""
    import pikepdf

    removed = Removed()
    root = pdf.Root

    # The document's own: what it does on opening, and its named scripts and files.
    # An /OpenAction that is a destination (open at this page, this zoom) is
    # only a view, and many ordinary PDFs have one; an action goes, whatever it is.
    if "/OpenAction" in root and not isinstance(root.OpenAction, pikepdf.Array):
        removed.add(_action_type(root.OpenAction) or "OpenAction")
        del root["/OpenAction"]
    files: set = set()  # the embedded files found, counted once at the end
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            removed.add("JavaScript", max(1, len(_name_tree_values(names.JavaScript, set()))))
            del names["/JavaScript"]
        if "/EmbeddedFiles" in names:
            for filespec in _name_tree_values(names.EmbeddedFiles, set()):
                _embedded(filespec, files)
            del names["/EmbeddedFiles"]
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        removed.add("XFA")
        del form["/XFA"]

    # Attachments and media players on the pages.
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        kept = [a for a in annotations if not (isinstance(a, pikepdf.Dictionary)
                                               and a.get("/Subtype") in UNSAFE_ANNOTATIONS)]
        for annotation in annotations:
            if isinstance(annotation, pikepdf.Dictionary) and annotation.get("/Subtype") == "/FileAttachment":
                _embedded(annotation.get("/FS"), files)
            elif isinstance(annotation, pikepdf.Dictionary) and annotation.get("/Subtype") in UNSAFE_ANNOTATIONS:
                removed.add("RichMedia")
        if len(kept) != len(annotations):
            page.obj["/Annots"] = pikepdf.Array(kept)

    # Everything still reachable from the trailer: pages, annotations, form
    # fields, outlines, and what they point to. An explicit stack, not
    # recursion, and each indirect object once: a PDF's graph has cycles
    # (a page's /Parent) and can be deep.
    seen: set[tuple[int, int]] = set()
    stack = [pdf.trailer[key] for key in pdf.trailer.keys() if key != "/Encrypt"]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            stack.extend(obj)
            continue
        for key in list(obj.keys()):
            if key == "/AA":  # actions on an event: a page opening, a field changing, a mouse over a link
                actions = obj.get(key)
                removed.add("AA", len(actions.keys()) if isinstance(actions, pikepdf.Dictionary) else 1)
                del obj[key]
            elif key == "/JS":  # a script outside an action we recognise
                removed.add("JavaScript")
                del obj[key]
            elif key == "/EF":  # a file specification's embedded file
                _embedded(obj, files)
                del obj[key]
            elif key == "/AF":  # associated files (PDF 2.0): file specifications with embedded files
                stack.append(obj.get(key))
                del obj[key]
            elif key in _ACTION_KEYS or key == "/Next":
                _unhook_actions(obj, key, removed)
                if key in obj:
                    stack.append(obj.get(key))
            else:
                stack.append(obj.get(key))
    removed.add("EmbeddedFile", len(files))
    return removed


def open_pdf(source: Path):
    """``pikepdf.open(source)``, or Unreadable saying why not in a witness's words."""
    import pikepdf

    try:
        return pikepdf.open(source)
    except pikepdf.PasswordError as exc:
        raise Unreadable("it is protected with a password") from exc
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        raise Unreadable("it may be damaged") from exc


def clean_file(source: Path, target: Path) -> Removed:
    """Write ``source`` without its active content to ``target``, and say what
    was taken out. When there is nothing to take out nothing is written (and
    the result is empty): the file is safe as it is. Raises Unreadable."""
    import pikepdf

    with open_pdf(source) as pdf:
        removed = neutralise(pdf)
        if removed:
            try:
                pdf.save(target, fix_metadata_version=False)
            except pikepdf.PdfError as exc:
                raise Unreadable("it may be damaged") from exc
    return removed
