"""Upload rules shared by report evidence and proposal attachments.

Images (JPEG, PNG, WebP) and PDFs only, checked by content and not just by name; size- and
count-capped; stored under generated names; served only through views that check who asks.
"""

import io
import mimetypes
import uuid
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# extension -> (kind, Pillow format or None for PDF)
ALLOWED = {
    ".jpg": ("image", "JPEG"),
    ".jpeg": ("image", "JPEG"),
    ".png": ("image", "PNG"),
    ".webp": ("image", "WEBP"),
    ".pdf": ("pdf", None),
}
IMAGE_ONLY = {ext for ext, (kind, _fmt) in ALLOWED.items() if kind == "image"}
_HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<svg", b"<?php", b"<body", b"<iframe")


def _extension(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def validate_upload(upload, *, allowed: set[str] | None = None) -> str:
    """Check one uploaded file; return its normalised extension or raise ValidationError."""
    allowed = allowed or set(ALLOWED)
    name = upload.name or ""
    if "\x00" in name or "%00" in name:
        raise ValidationError(_("The file name %(name)r contains a null byte.") % {"name": name})
    base = PurePosixPath(name.replace("\\", "/")).name
    suffixes = [s.lower() for s in PurePosixPath(base).suffixes]
    ext = _extension(base)
    if ext not in allowed:
        raise ValidationError(
            _("%(name)s: only %(allowed)s files are accepted.")
            % {"name": base, "allowed": ", ".join(sorted(allowed))}
        )
    if len(suffixes) > 1 and any(s not in ALLOWED for s in suffixes[:-1]):
        raise ValidationError(
            _("%(name)s: a file name with more than one extension is not accepted.")
            % {"name": base}
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; the limit is %(limit).1f MB.")
            % {
                "name": base,
                "size": upload.size / 1048576,
                "limit": settings.UPLOAD_MAX_BYTES / 1048576,
            }
        )
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    kind, image_format = ALLOWED[ext]
    lowered = content.lower()
    if any(marker in lowered for marker in _HTML_MARKERS):
        raise ValidationError(
            _("%(name)s contains markup or script and is not accepted.") % {"name": base}
        )
    if kind == "pdf":
        if not content.startswith(b"%PDF-"):
            raise ValidationError(_("%(name)s is not a PDF document.") % {"name": base})
    else:
        actual = _check_image(content, base)
        if actual != image_format:
            raise ValidationError(
                _("%(name)s is named %(ext)s but its content is %(actual)s.")
                % {"name": base, "ext": ext, "actual": actual}
            )
    return ".jpg" if ext == ".jpeg" else ext


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _("%(name)s declares more than %(limit)d million pixels and is not accepted.")
        % {"name": name, "limit": settings.UPLOAD_MAX_IMAGE_PIXELS // 1_000_000}
    )


def _check_image(content: bytes, name: str) -> str | None:
    """Open (header only) and verify an image, refusing a decompression bomb: a tiny file that
    declares more pixels than UPLOAD_MAX_IMAGE_PIXELS. Pillow warns past its MAX_IMAGE_PIXELS
    and raises past twice that; both are caught, and the limit is checked here too."""
    limit = settings.UPLOAD_MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                if width * height > limit:
                    raise _too_many_pixels(name)
                image.verify()
                return image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(name) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("%(name)s is not a readable image.") % {"name": name}) from error


def validate_uploads(uploads, *, allowed: set[str] | None = None) -> list[str]:
    """Check a batch: the count cap, then every file. Raises one ValidationError listing all."""
    if len(uploads) > settings.UPLOAD_MAX_FILES:
        raise ValidationError(
            _("At most %(n)d files can be attached at once.") % {"n": settings.UPLOAD_MAX_FILES}
        )
    errors, extensions = [], []
    for upload in uploads:
        try:
            extensions.append(validate_upload(upload, allowed=allowed))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return extensions


def generated_upload_path(prefix: str, original_name: str) -> str:
    """Storage path with a random name: `<prefix>/<yyyy>/<mm>/<uuid><ext>`. The original name
    is kept in the database only, for display."""
    ext = _extension(original_name)
    ext = ".jpg" if ext == ".jpeg" else ext
    now = timezone.now()
    return f"{prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{ext}"


def private_file_response(field_file, download_name: str) -> FileResponse:
    """Serve a stored file as an attachment that browsers will not sniff or render inline."""
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=download_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
