"""Compressed responses and content-hashed static files with a year-long cache."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from tests.convenings.conftest import make_convening  # noqa: F401  (fixtures)

ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    assert encoding is None, encoding
    return response.data


def without_tokens(body: bytes) -> bytes:
    """The body with per-request CSRF tokens and generation stamps blanked, for comparing."""
    body = re.sub(rb'name="csrf_token"[^>]*value="[^"]+"', b"", body)
    return re.sub(rb"\d{8}T\d{6}Z|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?", b"", body)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_exports_and_calendars_are_compressed_as_negotiated(client, make_convening,  # noqa: F811
                                                                  encoding) -> None:
    convening = make_convening()
    for path in ("/registry", "/registry.json", "/registry.csv", f"/convenings/{convening.id}.ics",
                 "/registry/notifications.atom"):
        plain = client.get(path)
        packed = client.get(path, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
        assert plain.status_code == packed.status_code == 200, path
        assert "Accept-Encoding" in packed.headers["Vary"], path
        if len(plain.data) >= 500:
            assert packed.headers["Content-Encoding"] == encoding, path
            assert len(packed.data) < len(plain.data), path
        assert without_tokens(decoded(packed)) == without_tokens(plain.data), path


def test_static_files_have_hashed_names_and_are_cached_for_a_year(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assets = ASSET.findall(page)
    assert any(a.startswith("/static/css/app.") for a in assets)
    for path in assets:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", path), path
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, path
        assert response.cache_control.immutable and response.cache_control.public, path
        assert response.cache_control.max_age == 365 * 24 * 3600, path
        plain = client.get(path.replace(re.search(r"\.[0-9a-f]{12}", path).group(0), ""))
        assert decoded(response) == plain.data, path
        assert not plain.cache_control.immutable, path


def test_an_outdated_digest_still_gets_the_current_file_revalidated(client) -> None:
    current = next(a for a in ASSET.findall(client.get("/").get_data(as_text=True)) if ".css" in a)
    stale = re.sub(r"\.[0-9a-f]{12}\.css$", ".000000000000.css", current)
    response = client.get(stale)
    assert response.status_code == 200
    assert not response.cache_control.immutable
    assert response.data == client.get(current).data
    assert client.get("/static/../config/__init__.py").status_code == 404


def test_members_static_files_stay_cacheable_while_pages_do_not(login_as) -> None:
    member, _ = login_as()
    page = member.get("/registry")
    assert "no-store" in page.headers["Cache-Control"]
    css = next(a for a in ASSET.findall(page.get_data(as_text=True)) if ".css" in a)
    response = member.get(css)
    assert "no-store" not in response.headers["Cache-Control"]
    assert response.cache_control.immutable


def test_ranges_and_revalidation_of_static_files_still_work(client) -> None:
    path = next(a for a in ASSET.findall(client.get("/").get_data(as_text=True)) if ".css" in a)
    whole = client.get(path)
    with client.get(path, headers={"Range": "bytes=0-9"}) as part:
        assert part.status_code == 206 and part.data == whole.data[:10]
    with client.get(path, headers={"If-None-Match": whole.headers["ETag"]}) as again:
        assert again.status_code == 304
