"""OpenRosa wire format: headers, HTTP Basic challenge, and the XML documents we answer with.

See https://docs.getodk.org/openrosa/ (form list, form download, manifest, submission).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

OPENROSA_VERSION = "1.0"
XML_TYPE = "text/xml; charset=utf-8"
REALM = "Kinga"


def max_submission_bytes() -> int:
    return int(getattr(settings, "KINGA_COLLECT_MAX_SUBMISSION_BYTES", 10 * 1024 * 1024))


def openrosa_response(
    body: str | bytes = b"", *, status: int = 200, content_type: str = XML_TYPE
) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["X-OpenRosa-Accept-Content-Length"] = str(max_submission_bytes())
    response["Cache-Control"] = "no-store, private"
    return response


def message(text: str, *, status: int, nature: str = "") -> HttpResponse:
    """An OpenRosa response message, which Collect shows to the person sending."""
    nature_attribute = f' nature="{escape(nature)}"' if nature else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f"<message{nature_attribute}>{escape(text)}</message></OpenRosaResponse>"
    )
    return openrosa_response(body, status=status)


def challenge() -> HttpResponse:
    response = message(_("Sign in with the phone's Kinga credential."), status=401)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """The (name, secret) of the request's HTTP Basic credentials, or None without them."""
    scheme, _space, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, separator, secret = decoded.partition(":")
    return (name, secret) if separator else None


def too_many_failures(seconds: int) -> HttpResponse:
    minutes = max(1, (seconds + 59) // 60)
    response = message(
        ngettext(
            "Too many failed sign-ins with this phone's credential or from this network; "
            "try again in %(minutes)s minute.",
            "Too many failed sign-ins with this phone's credential or from this network; "
            "try again in %(minutes)s minutes.",
            minutes,
        )
        % {"minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def form_list_xml(entries: Iterable[dict[str, str]]) -> str:
    items = []
    for entry in entries:
        fields = "".join(
            f"<{key}>{escape(value)}</{key}>" for key, value in entry.items() if value != ""
        )
        items.append(f"<xform>{fields}</xform>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(items) + "</xforms>"
    )


def manifest_xml(files: Iterable[tuple[str, str, str]]) -> str:
    items = "".join(
        f"<mediaFile><filename>{escape(name)}</filename><hash>md5:{digest}</hash>"
        f"<downloadUrl>{escape(url)}</downloadUrl></mediaFile>"
        for name, digest, url in files
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest">' + items + "</manifest>"
    )
