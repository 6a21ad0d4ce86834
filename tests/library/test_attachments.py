"""Attachments: type read from the content, disguised files and zip bombs refused, scanner hook,
downloads only as attachments and only for readers."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.core.errors import Forbidden, Invalid
from app.library import attachments
from app.library.models import Attachment
from tests.conftest import csrf_token

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx(extra: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>" + " " * extra)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def files_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LIBRARY_FILES_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "LIBRARY_SCANNER", None)
    return tmp_path


def test_types_are_sniffed_from_content(session, draft, files_dir):
    practice = draft()
    pdf = attachments.attach_file(practice.author, practice, filename="../../etc/Stratégie.exe", data=PDF)
    assert pdf.media_type == "application/pdf" and pdf.filename == "Stratégie.pdf"
    assert (files_dir / pdf.sha256).read_bytes() == PDF
    assert attachments.attach_file(practice.author, practice, filename="x.docx", data=docx()).media_type.endswith(
        "wordprocessingml.document")
    assert attachments.attach_file(practice.author, practice, filename="map", data=PNG).filename == "map.png"


@pytest.mark.parametrize(("data", "code"), [
    (b"#!/bin/sh\nrm -rf /\n", "file_type"),                    # a script renamed .pdf
    (b"<html><script>alert(1)</script></html>", "file_type"),
    (b"PK\x03\x04 not really a zip", "file_type"),
    (docx(extra=30 * 1024 * 1024), "file_bomb"),                # tiny archive, huge inside
    (b"", "required"),
    (b"%PDF-" + b"0" * attachments.ATTACHMENT_MAX, "file_too_large"),
])
def test_bad_files_are_refused_and_nothing_is_stored(session, draft, files_dir, data, code):
    practice = draft()
    with pytest.raises(Invalid) as error:
        attachments.attach_file(practice.author, practice, filename="report.pdf", data=data)
    assert error.value.code == code
    assert session.query(Attachment).count() == 0 and not list(files_dir.iterdir())


def test_virus_scanner_hook_refuses(session, app, draft, monkeypatch):
    monkeypatch.setitem(app.config, "LIBRARY_SCANNER", lambda data: "EICAR" if b"EICAR" in data else None)
    practice = draft()
    with pytest.raises(Invalid) as error:
        attachments.attach_file(practice.author, practice, filename="a.pdf", data=PDF + b"EICAR")
    assert error.value.code == "file_infected"
    assert attachments.attach_file(practice.author, practice, filename="a.pdf", data=PDF)


def test_only_writers_attach(draft, ambassador):
    practice = draft()
    with pytest.raises(Forbidden):
        attachments.attach_file(ambassador("FR"), practice, filename="a.pdf", data=PDF)


def test_upload_and_download_headers(session, client, login, published):
    practice = published()
    login(practice.author)
    token = csrf_token(client, f"/library/{practice.id}")
    response = client.post(f"/library/{practice.id}/files", data={
        "csrf_token": token, "file": (io.BytesIO(PDF), "Stratégie nationale.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = session.query(Attachment).one()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/library")})
    download = client.get(f"/library/{practice.id}/files/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Strat%C3%A9gie%20nationale.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/library/{practice.id}/files/{attachment.id + 1}").status_code == 404


def test_files_of_hidden_practices_are_not_found(session, client, published):
    practice = published(visibility="members")
    attachment = attachments.attach_file(practice.author, practice, filename="a.pdf", data=PDF)
    session.commit()
    assert client.get(f"/library/{practice.id}/files/{attachment.id}").status_code == 404


def test_disguised_upload_shows_an_error(session, client, login, draft):
    practice = draft()
    login(practice.author)
    token = csrf_token(client, f"/library/{practice.id}?draft=1")
    response = client.post(f"/library/{practice.id}/files", data={
        "csrf_token": token, "file": (io.BytesIO(b"MZ\x90\x00 binary"), "report.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Attach a PDF, ODT, DOCX, PNG or JPEG file." in response.get_data(as_text=True)
    assert session.query(Attachment).count() == 0
