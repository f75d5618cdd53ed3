"""The two formats GeoReport v2 speaks: JSON, and XML as the specification shows it
(<services><service>..., <service_requests><request>..., <errors><error>...). Pure: a
document is plain data (dicts, lists, strings, numbers, booleans, None) rendered here.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

JSON = "json"
XML = "xml"
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}

# The element names of each list in XML: the root, and the element of each item.
LIST_ELEMENTS = {
    "services": ("services", "service"),
    "service_requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}
# Lists nested in an item, by their element name: the element of each of their items.
NESTED_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry even escaped (control characters other than tab and newlines).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(element, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(child, key, item)
    elif isinstance(value, list):
        item_name = NESTED_ITEMS.get(name, "item")
        for item in value:
            _fill(child, item_name, item)
    else:
        child.text = _text(value)


def to_xml(kind: str | None, document: Any, *, root: str = "") -> bytes:
    """`document` as XML: a list of `kind` (a key of LIST_ELEMENTS), or one object under the
    element `root` (a service definition, the discovery document)."""
    if kind is not None:
        root_name, item_name = LIST_ELEMENTS[kind]
        top = ET.Element(root_name)
        for item in document:
            element = ET.SubElement(top, item_name)
            for key, value in item.items():
                _fill(element, key, value)
    else:
        top = ET.Element(root)
        for key, value in document.items():
            _fill(top, key, value)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="unicode").encode()
    )


def render(
    fmt: str, document: Any, *, kind: str | None = None, root: str = "", status: int = 200
) -> HttpResponse:
    if fmt == XML:
        content = to_xml(kind, document, root=root)
    else:
        content = json.dumps(document, ensure_ascii=False).encode()
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The specification's errors: a list of {code, description}, with the HTTP status."""
    errors = [{"code": status, "description": str(text)} for text in descriptions]
    return render(fmt if fmt in CONTENT_TYPES else JSON, errors, kind="errors", status=status)
