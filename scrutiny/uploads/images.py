"""PNG and JPEG: the header is read (never the pixels) to refuse pictures
declaring more pixels than Pillow will safely decode, and a stored copy is
made from the pixels alone, so the camera, the date and the GPS position a
photo carries never reach the people who download it."""
from __future__ import annotations

import warnings
from pathlib import Path

from scrutiny.uploads.refusals import Candidate, UploadRefused

PILLOW_FORMATS = {"png": "PNG", "jpg": "JPEG"}


def inspect(candidate: Candidate, ext: str) -> None:
    """Refuse a picture Pillow cannot read or that declares too many pixels.
    ``Image.open`` reads only the header; ``Image.MAX_IMAGE_PIXELS`` (about
    89 million, e.g. 9,500 x 9,500) is the limit, as for every image we open."""
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # judged just below
            with Image.open(candidate.path, formats=[PILLOW_FORMATS[ext]]) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        raise _too_many_pixels(candidate, limit, None) from None
    except Exception:  # UnidentifiedImageError, OSError, SyntaxError on a broken header
        raise _damaged(candidate.shown, ext) from None
    if limit and width * height > limit:
        raise _too_many_pixels(candidate, limit, (width, height))


def strip_metadata(source: Path, shown: str, ext: str, target: Path) -> None:
    """Write the picture to ``target`` from its pixels only: no EXIF (camera,
    date, GPS), XMP, comments or text chunks. A photo turned by its EXIF
    orientation is turned for good first, so it still shows the right way
    up. The colour profile is kept, so colours do not change."""
    from PIL import Image, ImageOps, JpegImagePlugin

    try:
        with Image.open(source, formats=[PILLOW_FORMATS[ext]]) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
            options = {}
            if icc := opened.info.get("icc_profile"):
                options["icc_profile"] = icc
            if "transparency" in image.info:
                options["transparency"] = image.info["transparency"]
            if ext == "jpg":
                # The original's own tables: the same quality, about the same size.
                options["qtables"] = opened.quantization
                sampling = JpegImagePlugin.get_sampling(opened)
                if sampling != -1:
                    options["subsampling"] = sampling
            image.info = {}  # Pillow writes some of info back (PNG text, EXIF): nothing goes
            image.save(target, PILLOW_FORMATS[ext], **options)
    except OSError as exc:
        if exc.errno is not None:  # the disk, not the picture (ENOSPC): the caller says so
            raise
        raise _damaged(shown, ext) from None
    except (ValueError, SyntaxError, Image.DecompressionBombError):
        raise _damaged(shown, ext) from None


def _damaged(shown: str, ext: str) -> UploadRefused:
    noun = {"png": "PNG image", "jpg": "JPEG image"}[ext]
    return UploadRefused(
        f"{shown} is not a valid {noun}: it may be damaged or not fully saved. "
        "Open it, save it again and upload the new copy.",
        "invalid",
    )


def _too_many_pixels(candidate: Candidate, limit: int, size: tuple[int, int] | None):
    declared = f" ({size[0]:,} \u00d7 {size[1]:,} pixels)" if size else ""
    return candidate.refuse(
        f"{candidate.shown} is too large a picture{declared}: we can open pictures of up to "
        f"{limit // 1_000_000} million pixels (width times height). Make it smaller, for "
        "example by resizing it, and upload it again.",
        "too_many_pixels",
    )
