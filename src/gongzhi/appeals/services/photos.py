"""Photos of an appeal: every upload is decoded, checked and written again before anything is stored."""
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput, NotPermitted
from gongzhi.core.images import reencode

from ..models import Appeal, AppealPhoto
from ..permissions import may_add_photos
from .lifecycle import locked

MAX_PHOTOS = 9


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


