"""Attachments of practices: the type is read from the content (never the name), archives are
checked for bombs, an optional virus scanner may refuse a file, and files live outside `static/`."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.library.models import Attachment, Practice
from app.library.services import MAX_ID, may_edit, may_read

ATTACHMENT_MAX = 10 * 1024 * 1024
ATTACHMENTS_PER_PRACTICE = 10
ZIP_MAX_ENTRIES = 2_000
ZIP_MAX_UNPACKED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", ODT: ".odt", DOCX: ".docx"}
#: A scanner takes the bytes and returns None when clean, else a short reason (see docs/library.md).
Scanner = Callable[[bytes], str | None]


def _wrong_type() -> Invalid:
    return Invalid(_l("Attach a PDF, ODT, DOCX, PNG or JPEG file."), code="file_type", field="file")


def _check_archive(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _wrong_type() from None
    unpacked = sum(entry.file_size for entry in entries)
    if (len(entries) > ZIP_MAX_ENTRIES or unpacked > ZIP_MAX_UNPACKED
            or unpacked > ZIP_MAX_RATIO * max(len(data), 1)):
        raise Invalid(_l("This document unpacks to far more than its size; it was refused."),
                      code="file_bomb", field="file")
    return archive


def sniff(data: bytes) -> str:
    """The media type read from the content, or Invalid when it is none of the accepted ones."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        archive = _check_archive(data)
        names = set(archive.namelist())
        try:
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
            raise _wrong_type() from None
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX
    raise _wrong_type()


def clean_filename(name: str | None, media_type: str) -> str:
    """A display name without paths or control characters, ending in the sniffed type's extension."""
    base = unicodedata.normalize("NFKC", Path((name or "").replace("\\", "/")).name)
    base = re.sub(r"[\x00-\x1f\x7f\"';<>]", "", base).strip(" .") or "document"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem[:100] + EXTENSIONS[media_type]


def storage_dir() -> Path:
    """Where attachment files live: `LIBRARY_FILES_DIR`, by default `instance/library-files`."""
    configured = current_app.config.get("LIBRARY_FILES_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "library-files"


def attach_file(actor: User, practice: Practice, *, filename: str | None, data: bytes) -> Attachment:
    """Check, scan and store one file for a practice its writers may edit."""
    if not may_edit(actor, practice):
        raise Forbidden()
    if not data:
        raise Invalid(_l("Choose a file."), code="required", field="file")
    if len(data) > ATTACHMENT_MAX:
        raise Invalid(_l("Files are limited to %(size)d MB.", size=ATTACHMENT_MAX // (1024 * 1024)),
                      code="file_too_large", field="file")
    count = db.session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.practice_id == practice.id)) or 0
    if count >= ATTACHMENTS_PER_PRACTICE:
        raise Invalid(_l("A practice has at most %(count)d files.", count=ATTACHMENTS_PER_PRACTICE),
                      code="files_too_many", field="file")
    media_type = sniff(data)
    scanner: Scanner | None = current_app.config.get("LIBRARY_SCANNER")
    if scanner is not None and scanner(data):
        raise Invalid(_l("The virus scanner refused this file."), code="file_infected", field="file")
    digest = hashlib.sha256(data).hexdigest()
    folder = storage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest
    if not target.exists():  # content-addressed: the same bytes are stored once
        partial = folder / f".{digest}.part"
        partial.write_bytes(data)
        partial.replace(target)
    attachment = Attachment(practice_id=practice.id, filename=clean_filename(filename, media_type),
                            media_type=media_type, size=len(data), sha256=digest,
                            uploaded_by_id=actor.id, created_at=utcnow())
    db.session.add(attachment)
    db.session.flush()
    record(actor, "library.attached", "practice", practice.id, file=attachment.filename,
           media_type=media_type, sha256=digest)
    return attachment


def attachments_of(practice: Practice) -> list[Attachment]:
    """A practice's files, oldest first."""
    return list(db.session.scalars(select(Attachment).where(Attachment.practice_id == practice.id)
                                   .order_by(Attachment.id)))


def get_attachment(actor: User | None, practice: Practice, attachment_id: int) -> Attachment:
    """A file of a practice the actor may read, or NotFound."""
    attachment = db.session.get(Attachment, attachment_id) if 0 < attachment_id <= MAX_ID else None
    if attachment is None or attachment.practice_id != practice.id or not may_read(actor, practice):
        raise NotFound()
    return attachment


def read_attachment(attachment: Attachment) -> bytes:
    """The stored bytes of a file."""
    path = storage_dir() / attachment.sha256
    if not re.fullmatch(r"[0-9a-f]{64}", attachment.sha256) or not path.is_file():
        raise NotFound()
    return path.read_bytes()


def remove_attachment(actor: User, practice: Practice, attachment: Attachment) -> None:
    """Writers remove a file from a practice (the stored bytes may be shared, so they stay)."""
    if not may_edit(actor, practice):
        raise Forbidden()
    record(actor, "library.detached", "practice", practice.id, file=attachment.filename)
    db.session.delete(attachment)
    db.session.flush()
