"""Thumbnails of private uploaded photos, served by the same access-checked views as the files.

Each thumbnail is decoded and re-encoded by Pillow as a fresh JPEG: nothing of the original file
but its pixels survives (no EXIF, so no GPS position or camera serial; no trailing payload), and
the phone's orientation is applied first so the picture stands the right way up."""

import io

from django.conf import settings
from django.http import Http404, HttpResponse
from PIL import Image, ImageOps, UnidentifiedImageError

SIZE = (320, 320)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def is_image_name(name: str) -> bool:
    return (name or "").lower().endswith(IMAGE_SUFFIXES)


def make_thumbnail(handle, size=SIZE) -> bytes:
    """JPEG bytes of the image in `handle`, at most `size`, without metadata."""
    Image.MAX_IMAGE_PIXELS = getattr(settings, "UPLOAD_MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    with Image.open(handle) as image:
        image.draft("RGB", (size[0] * 2, size[1] * 2))  # JPEG: decode at a reduced scale
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
        image.thumbnail(size)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True)  # no exif= argument: none is written
    return out.getvalue()


def thumbnail_response(field_file) -> HttpResponse:
    try:
        with field_file.open("rb") as handle:
            data = make_thumbnail(handle)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise Http404 from error
    response = HttpResponse(data, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=600"
    return response
