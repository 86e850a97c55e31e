"""Photos of an appeal: every upload is decoded, checked and written again before anything is stored."""
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import InvalidInput, NotPermitted

from ..models import Appeal, AppealPhoto
from ..permissions import may_add_photos
from .lifecycle import locked

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 15 * 1024 * 1024
PHOTO_EDGE = 1600
MAX_JPEG_PIXELS = 60_000_000  # before the draft scale
MAX_OTHER_PIXELS = 25_000_000


def reencode(upload) -> tuple[bytes, int, int]:
    """Decode with Pillow (refusing what is not an image), turn upright, shrink, and write a fresh JPEG: the
    camera's EXIF — GPS position included — is not carried over."""
    if upload.size > MAX_PHOTO_BYTES:
        raise InvalidInput(_("照片“%(name)s”太大，请小于15MB") % {"name": upload.name}, field="photos")
    try:
        with Image.open(upload) as image:
            # a JPEG is decoded at the smallest scale that still gives PHOTO_EDGE (a 48-megapixel photo at an
            # eighth); other formats are decoded whole, so they get a smaller limit: memory stays ~100 MB
            if image.format == "JPEG":
                image.draft("RGB", (PHOTO_EDGE, PHOTO_EDGE))
            if image.width * image.height > (MAX_JPEG_PIXELS if image.format == "JPEG" else MAX_OTHER_PIXELS):
                raise InvalidInput(_("照片“%(name)s”尺寸过大") % {"name": upload.name}, field="photos")
            ImageOps.exif_transpose(image, in_place=True)  # no second copy of the decoded pixels
            image.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            image = image.convert("RGB")
            out = BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue(), image.width, image.height
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidInput(_("“%(name)s”不是可以识别的照片") % {"name": upload.name}, field="photos") from None


def prepare_photos(files, already: int = 0) -> list[tuple[bytes, int, int]]:
    files = list(files or [])
    if already + len(files) > MAX_PHOTOS:
        raise InvalidInput(_("每条诉求最多%(n)d张照片") % {"n": MAX_PHOTOS}, field="photos")
    prepared, refused = [], []
    for upload in files:  # all checked before anything is stored, and every bad one named at once
        try:
            prepared.append(reencode(upload))
        except InvalidInput as e:
            refused.append(e.message)
    if refused:
        raise InvalidInput("；".join(refused), field="photos")
    return prepared


def store_photos(appeal: Appeal, actor, prepared) -> list:
    photos = []
    for data, width, height in prepared:
        photo = AppealPhoto(appeal=appeal, uploaded_by=actor, width=width, height=height)
        photo.image.save("photo.jpg", ContentFile(data), save=False)
        photo.save()
        photos.append(photo)
    return photos


@transaction.atomic
def appeal_add_photos(*, appeal: Appeal, actor, files) -> list:
    """Attach photos (up to MAX_PHOTOS per appeal) — by its reporter, or by staff working it."""
    appeal = locked(appeal)
    if not may_add_photos(actor, appeal):
        raise NotPermitted(_("您不能为这条诉求上传照片"))
    return store_photos(appeal, actor, prepare_photos(files, appeal.photos.count()))


