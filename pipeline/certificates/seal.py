"""The seal setting of the 入库证书: off by default; when on, the bureau's uploaded official 电子印章 is printed.

The system never draws a seal itself: many bureaus may not use an imitation seal on a county pool certificate."""

from __future__ import annotations

import base64
import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.certificates.models import CertificateSeal
from pipeline.extensions import db
from pipeline.tenancy.scope import county_for_new_rows as settings_county  # the scope's one county

MAX_SEAL_BYTES = 1024 * 1024  # a scanned seal is tens of kilobytes; a megabyte leaves room for a high resolution
MIN_SEAL_SIDE, MAX_SEAL_SIDE = 150, 3000  # pixels: sharp enough for 42 mm on paper, small enough to render fast
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class SealError(ValueError):
    """An upload or a setting the seal page refuses; the message is for the admin."""


@dataclass(frozen=True)
class SealImage:
    png: bytes
    width: int
    height: int


def check_seal_image(data: bytes) -> SealImage:
    """The uploaded bytes as a seal image, judged by content (not name): a PNG with transparency, within limits."""
    if not data:
        raise SealError(_("请选择电子印章图片文件。"))
    if len(data) > MAX_SEAL_BYTES:
        raise SealError(_("电子印章图片不能超过 1 MB，请压缩后重新上传。"))
    if not data.startswith(PNG_SIGNATURE):
        raise SealError(_("上传的文件不是 PNG 图片。请上传带透明背景的 PNG 格式电子印章。"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                size, transparent = image.size, _has_transparency(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise SealError(_("无法读取该 PNG 图片，文件可能已损坏。")) from None
    if min(size) < MIN_SEAL_SIDE or max(size) > MAX_SEAL_SIDE:
        raise SealError(_("电子印章图片的宽和高应在 %(low)s 至 %(high)s 像素之间（当前 %(w)s×%(h)s）。",
                          low=MIN_SEAL_SIDE, high=MAX_SEAL_SIDE, w=size[0], h=size[1]))
    if not transparent:
        raise SealError(_("电子印章图片须为透明背景（带透明通道的 PNG），否则会遮住证书上的文字。"))
    return SealImage(png=data, width=size[0], height=size[1])


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA"):
        return image.getextrema()[-1][0] < 255  # at least one pixel is not fully opaque
    return image.mode == "P" and "transparency" in image.info


def seal_setting(county_id: int | None = None) -> CertificateSeal | None:
    """A county's seal setting (the scope's county by default); None: never set, off."""
    county_id = settings_county() if county_id is None else county_id
    return db.session.scalar(select(CertificateSeal).where(CertificateSeal.county_id == county_id))


def seal_for_certificate(county_id: int) -> SealImage | None:
    """The seal the county's next rendered certificate carries: None when its setting is off."""
    seal = seal_setting(county_id)
    if seal is None or not seal.enabled or seal.image is None:
        return None
    return SealImage(png=seal.image, width=seal.width or 0, height=seal.height or 0)


def seal_data_uri(seal: SealImage | None) -> str:
    return "" if seal is None else "data:image/png;base64," + base64.b64encode(seal.png).decode("ascii")


def save_seal_setting(*, enabled: bool, upload: bytes | None, remove: bool, by, now: datetime) -> CertificateSeal:
    """Store the admin's choice for the scope's county (audited): a new image replaces the old one; on without any
    image is refused."""
    county_id = settings_county()
    seal = seal_setting(county_id) or CertificateSeal(county_id=county_id, enabled=False)
    image = check_seal_image(upload) if upload else None
    if image is not None:
        seal.image, seal.width, seal.height = image.png, image.width, image.height
        seal.image_sha256 = hashlib.sha256(image.png).hexdigest()
    elif remove:
        seal.image = seal.image_sha256 = seal.width = seal.height = None
    if enabled and seal.image_sha256 is None:
        raise SealError(_("开启前请先上传本单位的电子印章图片。"))
    seal.enabled, seal.updated_at, seal.updated_by_id = enabled, now, by.id if by else None
    db.session.add(seal)
    record_event(AuditKind.SETTING_CHANGED, actor=by, now=now, setting="certificate_seal", value=enabled,
                 image_sha256=seal.image_sha256 or "")
    db.session.flush()
    return seal
