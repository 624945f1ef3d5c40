"""The one check every upload form uses: is this a file we can take?

Witnesses send evidence from their own machines, so every upload is treated
as hostile until proved otherwise:

- the type is decided by the file's *content* (magic bytes, and for Office
  and OpenDocument files the parts inside the zip), never by its name or the
  browser's content type, both of which the sender controls;
- when the name claims one accepted type and the content is another (a
  PowerPoint file called ``slides.pdf``), the file is taken as what its
  content is: ``named_as`` keeps what the name claimed, the witness is told,
  and downloads get a name with the right extension (``download_name``) so
  the file opens in the right program. A name claiming a type we do not take
  is refused with a message saying how to fix it;
- files that can run code are refused: Office macros (found by content
  type, relationship type and the VBA project's own bytes, whatever its part
  is called), OpenDocument Basic/scripts, embedded OLE objects, and Office
  files that load anything from outside themselves (an attached template on
  a server) other than plain hyperlinks;
- zips that could exhaust memory or disk when opened (zip bombs: by each
  part and by the archive as a whole), zips with unsafe paths and encrypted
  zips are refused, judged from the zip's central directory without
  extracting anything; pictures declaring more pixels than Pillow will
  decode are refused from their header;
- pictures are stored without their metadata (camera, date, GPS position);
- the original file name is kept only as display data (``safe_name``); the
  stored file's key is random (see ``scrutiny.storage``).

One inspector per family: ``pdf``, ``zips`` (with ``ooxml`` and ``odf``),
``images`` and ``text`` (CSV), behind ``check_upload`` (``check``) and
``store_upload`` (``store``). Every refusal is an ``UploadRefused`` whose
message is written for the witness: it names their file, says what is wrong
and what to do next.
"""
from scrutiny.uploads.check import CheckedFile, check_upload, download_name
from scrutiny.uploads.kinds import ALLOWED, CATEGORIES, KINDS, Kind
from scrutiny.uploads.names import human_size, safe_name
from scrutiny.uploads.pdf import pdf_page_count
from scrutiny.uploads.refusals import UploadRefused
from scrutiny.uploads.store import no_room, not_saved, store_upload, upload_limits

__all__ = [
    "ALLOWED",
    "CATEGORIES",
    "KINDS",
    "CheckedFile",
    "Kind",
    "UploadRefused",
    "check_upload",
    "download_name",
    "human_size",
    "no_room",
    "not_saved",
    "pdf_page_count",
    "safe_name",
    "store_upload",
    "upload_limits",
]
