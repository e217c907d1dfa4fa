"""Reading a submitted form instance (XML) safely, into plain values.

defusedxml refuses entity expansion, external entities and DTDs, so a hostile body costs
nothing. Values are flattened to XPath-like paths (`community`, `child[2]/age`,
`child[1]/activity[1]/hours`) that staff corrections use too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from collect.openrosa.xlsform_spec import REPEATS


class InstanceError(ValueError):
    """The body is not a form instance Kinga can store (not XML, no form id, no instanceID)."""


@dataclass(frozen=True)
class Instance:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    values: dict[str, str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _flatten(element: Element, prefix: str, values: dict[str, str]) -> None:
    counts: dict[str, int] = {}
    for child in element:
        name = _local(child.tag)
        if not prefix and name == "meta":
            continue
        if name in REPEATS:
            counts[name] = counts.get(name, 0) + 1
            name = f"{name}[{counts[name]}]"
        path = f"{prefix}{name}"
        if len(child):
            _flatten(child, f"{path}/", values)
        else:
            values[path] = (child.text or "").strip()


def parse_instance(body: bytes) -> Instance:
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise InstanceError(f"not well-formed XML: {error}") from None
    form_id = (root.get("id") or "").strip()
    if not form_id:
        raise InstanceError("the root element has no form id")
    meta = {
        _local(item.tag): (item.text or "").strip()
        for section in root
        if _local(section.tag) == "meta"
        for item in section
    }
    instance_id = meta.get("instanceID", "")
    if not instance_id:
        raise InstanceError("meta/instanceID is missing")
    values: dict[str, str] = {}
    _flatten(root, "", values)
    return Instance(
        form_id=form_id[:100],
        version=(root.get("version") or "").strip()[:40],
        instance_id=instance_id[:100],
        deprecated_id=meta.get("deprecatedID", "")[:100],
        values=values,
    )


def repeat_count(values: dict[str, str], prefix: str) -> int:
    """How many `prefix[n]` entries the flattened values hold (`child`, `child[1]/activity`)."""
    numbers = set()
    start = f"{prefix}["
    for path in values:
        if path.startswith(start):
            number = path[len(start) :].split("]", 1)[0]
            if number.isdigit():
                numbers.add(int(number))
    return max(numbers, default=0)
