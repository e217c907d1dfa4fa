"""The OpenRosa endpoints ODK Collect and KoboCollect talk to, under /collect/.

The server URL given to a phone is http(s)://HOST/collect. Every request carries the phone's
HTTP Basic credentials (a first request without them gets the 401 challenge); CSRF does not
apply because no browser session is involved, and only these views are exempt.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from accounts.models import DeviceCredential
from accounts.services.devices import device_for_credentials
from audit.middleware import client_ip
from collect.openrosa import lockout, protocol
from collect.openrosa.instance import InstanceError
from collect.openrosa.media import md5_of, media_file
from collect.openrosa.receive import Outcome, submission_receive
from collect.openrosa.xlsforms import published_form, published_forms

View = Callable[..., HttpResponse]


def _openrosa_view(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Method check, HTTPS where required, then the device's credentials."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = protocol.message(_("Method not allowed."), status=405)
                response["Allow"] = ", ".join(methods)
                return response
            if settings.KINGA_COLLECT_REQUIRE_HTTPS and not request.is_secure():
                return protocol.message(
                    _(
                        "This server accepts phones over HTTPS only: in the phone's server "
                        "settings, use the address that starts with https://."
                    ),
                    status=403,
                )
            device = _signed_in_device(request)
            if isinstance(device, HttpResponse):
                return device
            return view(request, device, *args, **kwargs)

        return wrapper

    return decorate


def _signed_in_device(request: HttpRequest) -> DeviceCredential | HttpResponse:
    """The phone the credentials name, or the answer: a challenge, or 429 while locked.

    The right secret always gets through: a pause that stopped it would let anyone who knows a
    credential's name (it is not secret) keep a field team's phones from sending their forms.
    """
    credentials = protocol.basic_credentials(request)
    if credentials is None:  # Collect's first request carries none: not a failure
        return protocol.challenge()
    name, secret = credentials
    device = device_for_credentials(name, secret)
    if device is not None:
        return device
    address = client_ip(request)
    locked_for = lockout.seconds_locked(name, address)
    if locked_for:
        return protocol.too_many_failures(locked_for)
    lockout.credential_failure_record(name=name, ip_address=address)
    return protocol.challenge()


def _absolute(request: HttpRequest, name: str, **kwargs: str) -> str:
    return request.build_absolute_uri(reverse(f"openrosa:{name}", kwargs=kwargs))


@_openrosa_view(("GET", "HEAD"))
def form_list(request: HttpRequest, device: DeviceCredential) -> HttpResponse:
    wanted = request.GET.get("formID")
    entries = []
    for form in published_forms().values():
        if wanted and form.form_id != wanted:
            continue
        entries.append(
            {
                "formID": form.form_id,
                "name": form.spec.title_en,
                "version": form.version,
                "hash": f"md5:{form.md5}",
                "downloadUrl": _absolute(request, "form_download", form_id=form.form_id),
                "manifestUrl": (
                    _absolute(request, "form_manifest", form_id=form.form_id)
                    if form.spec.media
                    else ""
                ),
            }
        )
    return protocol.openrosa_response(protocol.form_list_xml(entries))


@_openrosa_view(("GET", "HEAD"))
def form_download(request: HttpRequest, device: DeviceCredential, form_id: str) -> HttpResponse:
    form = published_form(form_id)
    if form is None:
        return protocol.message(_("No such form."), status=404)
    return protocol.openrosa_response(form.xform)


@_openrosa_view(("GET", "HEAD"))
def form_manifest(request: HttpRequest, device: DeviceCredential, form_id: str) -> HttpResponse:
    form = published_form(form_id)
    if form is None:
        return protocol.message(_("No such form."), status=404)
    files = []
    for name in form.spec.media:
        data = media_file(name, device.user) or b""
        url = _absolute(request, "form_media", form_id=form_id, filename=name)
        files.append((name, md5_of(data), url))
    return protocol.openrosa_response(protocol.manifest_xml(files))


@_openrosa_view(("GET", "HEAD"))
def form_media(
    request: HttpRequest, device: DeviceCredential, form_id: str, filename: str
) -> HttpResponse:
    form = published_form(form_id)
    data = media_file(filename, device.user) if form and filename in form.spec.media else None
    if data is None:
        return protocol.message(_("No such file."), status=404)
    return protocol.openrosa_response(data, content_type="text/csv; charset=utf-8")


class _WholeUploadInMemory(MemoryFileUploadHandler):
    """Keep every part in memory: a phone's photos must never sit in clear in a temp file.

    The whole body is capped (X-OpenRosa-Accept-Content-Length) before this runs.
    """

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        super().handle_raw_input(*args, **kwargs)
        self.activated = True


_OUTCOME_MESSAGES = {
    Outcome.CREATED: (gettext_lazy("Thank you: the submission was received."), 201),
    Outcome.DUPLICATE: (gettext_lazy("This submission was already received."), 201),
    Outcome.CONFLICT: (
        gettext_lazy("Another submission with this instanceID was already received; it was kept."),
        409,
    ),
}


def _size_refusal(request: HttpRequest) -> HttpResponse | None:
    """Refuse a body without a length or above the accepted length, before reading it."""
    limit = protocol.max_submission_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length == 0:
        return protocol.message(_("The request has no body or no Content-Length."), status=411)
    if length < 0:
        return protocol.message(_("The Content-Length header is not a number."), status=400)
    if length > limit:
        return protocol.message(
            _("The submission is larger than %(limit)s bytes; send its attachments separately.")
            % {"limit": limit},
            status=413,
        )
    return None


@_openrosa_view(("HEAD", "POST"))
def submission(request: HttpRequest, device: DeviceCredential) -> HttpResponse:
    if request.method == "HEAD":
        return protocol.openrosa_response(status=204)
    refusal = _size_refusal(request)
    if refusal is not None:
        return refusal
    request.upload_handlers = [_WholeUploadInMemory(request)]
    xml_file = request.FILES.get("xml_submission_file")
    if xml_file is None:
        return protocol.message(_("The xml_submission_file part is missing."), status=400)
    files = [
        upload
        for key, uploads in request.FILES.lists()
        if key != "xml_submission_file"
        for upload in uploads
    ]
    try:
        received = submission_receive(device=device, body=xml_file.read(), files=files)
    except InstanceError as error:
        reason = _("The form instance cannot be read: %(reason)s.") % {"reason": error}
        return protocol.message(reason, status=400)
    text, status = _OUTCOME_MESSAGES[received.outcome]
    return protocol.message(str(text), status=status)
