"""Photos attached to issues: checked, turned upright, downsized and stripped of metadata.

A phone photo carries where and when it was taken, and the phone that took it; in a
neighbourhood that points at a home. So nothing from the upload is kept but its pixels (and
its colour profile, see `_save`): the photo is decoded and encoded afresh.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from hall.errors import HallError
from hall.issues import refusals

_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# The modes each encoder writes as they are; any other mode is converted first.
_MODES = {"JPEG": {"L", "RGB"}, "PNG": {"L", "LA", "RGB", "RGBA"}, "WEBP": {"RGB", "RGBA"}}
# Only to tell "a GIF" from "not an image" in the refusal; these bytes are never decoded.
_OTHER_IMAGE_SIGNATURES = (b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"\x00\x00\x01\x00")


@dataclass(frozen=True)
class Photo:
    content_type: str
    data: bytes
    width: int
    height: int


def process(
    data: bytes, *, max_bytes: int, max_pixels: int = 40_000_000, max_side: int = 2560
) -> Photo:
    """The uploaded bytes as a clean photo, or the refusal (hall.issues.refusals) saying why
    not.

    Accepts JPEG, PNG and WebP, judged by the content alone. Animated images keep their
    first frame.
    """
    if len(data) > max_bytes:
        raise refusals.PHOTO_TOO_LARGE()
    # Pillow's own bomb check only warns below twice its limit; as an error, it refuses.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _decode(data, max_pixels, max_side)
    image_format = image.format
    icc_profile = image.info.get("icc_profile")
    upright = _upright(image, image_format)
    if upright.mode != image.mode:
        # The profile described the old pixels; attached to the converted ones it would lie.
        icc_profile = None
    upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return Photo(
        content_type=_CONTENT_TYPES[image_format],
        data=_save(upright, image_format, icc_profile),
        width=upright.width,
        height=upright.height,
    )


def _decode(data: bytes, max_pixels: int, max_side: int) -> Image.Image:
    try:
        # Only the three decoders we accept ever read the bytes: Pillow's rarer formats have
        # had more than their share of parser bugs.
        probe = Image.open(io.BytesIO(data), formats=list(_CONTENT_TYPES))
        # Opening reads the header alone; the size is checked before any pixel is decoded.
        if probe.width * probe.height > max_pixels:
            raise refusals.PHOTO_TOO_MANY_PIXELS()
        probe.verify()
        # verify() leaves the image unusable: decode from a fresh start.
        image = Image.open(io.BytesIO(data), formats=list(_CONTENT_TYPES))
        # For a JPEG, decode at a fraction of its size when that still covers max_side.
        image.draft(None, (max_side, max_side))
        image.load()
    except HallError:
        raise
    except UnidentifiedImageError:
        if data.startswith(_OTHER_IMAGE_SIGNATURES) or data[4:8] == b"ftyp":
            raise refusals.PHOTO_FORMAT_UNSUPPORTED() from None
        raise refusals.PHOTO_NOT_AN_IMAGE() from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refusals.PHOTO_TOO_MANY_PIXELS() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Truncated or corrupt data: Pillow says so with any of these.
        raise refusals.PHOTO_DAMAGED() from None
    return image


def _upright(image: Image.Image, image_format: str) -> Image.Image:
    """The image in a mode its format writes, turned as the camera's orientation tag says."""
    if image.mode in ("I", "I;16", "I;16B"):
        # 16-bit grey (scanners): a plain conversion would clip every value above 255 to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    elif image.mode not in _MODES[image_format]:
        has_alpha = image.has_transparency_data
        image = image.convert("RGBA" if has_alpha and image_format != "JPEG" else "RGB")
    # The orientation tag goes with the rest of the metadata: apply it to the pixels first.
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        # A damaged EXIF block costs the photo its orientation, not the upload.
        return image


def _save(image: Image.Image, image_format: str, icc_profile: bytes | None) -> bytes:
    # Some encoders copy metadata (a JPEG comment, PNG text) from `info` on their own.
    image.info = {}
    options: dict = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}}.get(
        image_format, {"quality": 85}
    )
    # The colour profile is kept: it says how to read the colours (an iPhone's are Display
    # P3, which would look washed out read as sRGB), and tells nothing about the person.
    if icc_profile:
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()
