"""Images people upload (an appeal's photos, a paper ballot's sheet): every one is decoded, checked and written
again before anything is stored; what is not an image, or too large to decode in bounded memory, is refused."""
from io import BytesIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InvalidInput

MAX_PHOTO_BYTES = 15 * 1024 * 1024
PHOTO_EDGE = 1600
MAX_JPEG_PIXELS = 60_000_000  # before the draft scale
MAX_OTHER_PIXELS = 25_000_000


def reencode(upload, *, field: str = "photos") -> tuple[bytes, int, int]:
    """Decode with Pillow (refusing what is not an image), turn upright, shrink, and write a fresh JPEG: the
    camera's EXIF — GPS position included — is not carried over."""
    if upload.size > MAX_PHOTO_BYTES:
        raise InvalidInput(_("照片“%(name)s”太大，请小于15MB") % {"name": upload.name}, field=field)
    try:
        with Image.open(upload) as image:
            # a JPEG is decoded at the smallest scale that still gives PHOTO_EDGE (a 48-megapixel photo at an
            # eighth); other formats are decoded whole, so they get a smaller limit: memory stays ~100 MB
            if image.format == "JPEG":
                image.draft("RGB", (PHOTO_EDGE, PHOTO_EDGE))
            if image.width * image.height > (MAX_JPEG_PIXELS if image.format == "JPEG" else MAX_OTHER_PIXELS):
                raise InvalidInput(_("照片“%(name)s”尺寸过大") % {"name": upload.name}, field=field)
            ImageOps.exif_transpose(image, in_place=True)  # no second copy of the decoded pixels
            image.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            image = image.convert("RGB")
            out = BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue(), image.width, image.height
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidInput(_("“%(name)s”不是可以识别的照片") % {"name": upload.name}, field=field) from None
