"""A minimal OpenRosa client that talks as ODK Collect does: for the tests and the benchmark.

Standard library only (http.client), so it runs wherever the server does.
"""

from __future__ import annotations

import base64
import http.client
import secrets
import uuid
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Phone:
    """One phone: a server URL (`http://host:port/collect`) and its Basic credentials."""

    server_url: str
    name: str = ""
    secret: str = ""
    timeout: float = 30
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)

    def _auth(self) -> dict[str, str]:
        if not self.name:
            return {}
        token = base64.b64encode(f"{self.name}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        parts = urlsplit(url if "://" in url else self.server_url.rstrip("/") + "/" + url)
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                parts.hostname or "127.0.0.1", parts.port or 80, timeout=self.timeout
            )
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        all_headers = {
            "X-OpenRosa-Version": "1.0",
            "Date": formatdate(usegmt=True),
            **self._auth(),
            **(headers or {}),
        }
        try:
            self._connection.request(method, path, body=body, headers=all_headers)
            response = self._connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.close()  # the server closed a kept-alive connection: retry once on a new one
            self._connection = http.client.HTTPConnection(
                parts.hostname or "127.0.0.1", parts.port or 80, timeout=self.timeout
            )
            self._connection.request(method, path, body=body, headers=all_headers)
            response = self._connection.getresponse()
        data = response.read()
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        if response.will_close:
            self.close()
        return reply

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def submit(
        self, xml: bytes, attachments: dict[str, bytes] | None = None, *, url: str = "submission"
    ) -> Reply:
        body, content_type = multipart(xml, attachments or {})
        return self.request("POST", url, body=body, headers={"Content-Type": content_type})


def multipart(xml: bytes, attachments: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [("xml_submission_file", "submission.xml", "text/xml", xml)]
    parts += [(name, name, "application/octet-stream", data) for name, data in attachments.items()]
    chunks = []
    for field_name, filename, content_type, data in parts:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        chunks.append(data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def new_instance_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def household_visit_xml(
    *,
    community: str,
    instance_id: str,
    version: str,
    visited_on: str,
    head_name: str = "Mwamba Kalenga",
    children: list[dict[str, str | list[dict[str, str]]]] | None = None,
    deprecated_id: str = "",
    form_id: str = "kinga_household_visit",
    finished_at: str = "08:30:00",
) -> bytes:
    """A household visit instance as Collect would send it (`end` is when it was finalised)."""
    children = children if children is not None else [default_child()]
    child_xml = ""
    for child in children:
        activities = child.get("activity", [])
        assert isinstance(activities, list)
        inner = "".join(
            f"<{key}>{value}</{key}>" for key, value in child.items() if key != "activity"
        )
        inner += "".join(
            "<activity>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</activity>"
            for item in activities
        )
        child_xml += f"<child>{inner}</child>"
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"<start>{visited_on}T08:00:00.000+01:00</start>"
        f"<end>{visited_on}T{finished_at}.000+01:00</end>"
        f"<community>{community}</community><visited_on>{visited_on}</visited_on>"
        f"<head_name>{head_name}</head_name><phone/><location>-10.6 25.9 1400 5</location>"
        f"<members_count>5</members_count><mining_dependence>mainly</mining_dependence>"
        f"<school_cost_burden>heavy</school_cost_burden>{child_xml}<notes/>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></data>"
    ).encode()


def default_child(**overrides: str | list[dict[str, str]]) -> dict[str, str | list[dict[str, str]]]:
    child: dict[str, str | list[dict[str, str]]] = {
        "first_name": "Amani",
        "last_name": "Kalenga",
        "sex": "male",
        "birth_date_known": "no",
        "age": "12",
        "age_evidence": "caregiver_report",
        "caregiver_consent": "yes",
        "child_assent": "yes",
        "school_status": "dropped_out",
        "chores_hours": "5",
        "works": "yes",
        "activity": [
            {
                "task": "digging",
                "hours": "20",
                "hazards": "heavy_loads dangerous_tools",
                "night": "no",
            }
        ],
        "worst_forms": "",
        "immediate_danger": "no",
        "child_notes": "",
    }
    child.update(overrides)
    return child
