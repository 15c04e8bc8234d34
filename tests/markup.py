"""What an AppTest page hands Streamlit as Markdown, and what it shows as plain text.

Streamlit renders Markdown in the bodies of st.markdown, captions, alerts, headings and metric
values, and in every label and ``help=`` tooltip. A value from a link, a file or a paper must
reach none of them (except inside a code span, ``widgets.literal``): the tests read the element
protos AppTest holds, which carry exactly the source the browser will render.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

# Proto messages whose ``body`` the frontend renders as Markdown (st.text's Text is not one).
MARKDOWN_BODIES = {"Markdown", "Alert", "Heading", "Metric", "Toast"}
# Fields rendered as Markdown in any element: widget and metric labels, tooltips, and the
# options of radios, segmented controls and pills.
MARKDOWN_FIELDS = {"label", "help"}
MARKDOWN_OPTIONS = {("Radio", "options"), ("Radio", "captions"), ("ButtonGroup.Option", "content")}
PLAIN_BODIES = {("Text", "body"), ("Code", "code_text")}
# A code span or block: a run of backticks, anything, the same run (what widgets.literal makes).
_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)


def outside_code(source: str) -> str:
    """Markdown source without its code spans and blocks: the part that is interpreted."""
    return _CODE.sub("", source)


def _strings(message: Message) -> Iterator[tuple[str, str, str]]:
    """(message type, field name, value) of every string field, nested messages included."""
    for field, value in message.ListFields():
        repeated = field.is_repeated
        values = list(value) if repeated else [value]
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in values:
                yield from _strings(item)
        elif field.type == FieldDescriptor.TYPE_STRING:
            name = message.DESCRIPTOR.full_name.removeprefix("streamlit.")
            for item in values:
                yield name, field.name, item


def _protos(at: AppTest) -> Iterator[Message]:
    def walk(node) -> Iterator[Message]:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            yield proto
        for child in getattr(node, "children", {}).values():
            yield from walk(child)
    yield from walk(at._tree)


def markdown_sources(at: AppTest) -> list[str]:
    """Every string of the page that the browser renders as Markdown."""
    found = []
    for proto in _protos(at):
        for kind, field, value in _strings(proto):
            if ((field == "body" and kind in MARKDOWN_BODIES) or field in MARKDOWN_FIELDS
                    or (kind, field) in MARKDOWN_OPTIONS):
                found.append(value)
    return found


def plain_texts(at: AppTest) -> list[str]:
    """Every st.text and st.code body of the page: shown exactly as written."""
    return [value for proto in _protos(at) for kind, field, value in _strings(proto)
            if (kind, field) in PLAIN_BODIES]


def assert_shown_as_plain_text(at: AppTest, value: str, *, marker: str = "evil.example") -> None:
    """``value`` is on the page as written (st.text), and nothing carrying ``marker`` (the
    part of a hostile value no Markdown of ours contains) is handed to Markdown outside code."""
    assert any(value in text for text in plain_texts(at)), (value, plain_texts(at))
    leaked = [source for source in markdown_sources(at) if marker in outside_code(source)]
    assert not leaked, leaked
