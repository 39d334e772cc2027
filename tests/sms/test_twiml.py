"""The TwiML a text is answered with: escaped by hand, read back as Twilio's own builder writes it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from twilio.twiml.messaging_response import MessagingResponse

from sms.twiml import messages_twiml

TRICKY = [
    "<script>alert('x')</script>",
    "Tom & Jerry &amp; friends",
    "She said \"yes\" and 'no'",
    "We will call you 🙂 👍🏽",
    "x" * 1600,
    "مرحبا، سنتصل بك قريبا",
    "Line one\nLine two\tTabbed",
    "]]> <![CDATA[ not a section",
]


def _messages(document: str) -> list[str]:
    root = ET.fromstring(document.encode("utf-8"))  # noqa: S314 (our own output)
    assert root.tag == "Response"
    assert all(child.tag == "Message" and not child.attrib for child in root)
    return [child.text or "" for child in root]


def _twilio(texts: list[str]) -> str:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


@pytest.mark.parametrize("text", TRICKY)
def test_each_tricky_body_reads_back_as_twilio_writes_it(text: str) -> None:
    ours = messages_twiml([text])
    assert ours.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert _messages(ours) == _messages(_twilio([text])) == [text]


def test_several_messages_keep_their_order() -> None:
    assert _messages(messages_twiml(TRICKY)) == _messages(_twilio(TRICKY)) == TRICKY


def test_no_messages_is_an_empty_response() -> None:
    assert _messages(messages_twiml([])) == _messages(_twilio([])) == []
    assert messages_twiml([]) == _twilio([])


def test_characters_xml_cannot_carry_are_dropped() -> None:
    text = "a\x00b\x01c\x08d\x0be\x0cf\x1fg\ufffeh\uffffi\ud800j"
    twilio = _twilio([text])
    with pytest.raises(ET.ParseError):  # Twilio's builder writes them as they are
        ET.fromstring(twilio.encode("utf-8", "surrogatepass"))  # noqa: S314 (our own output)
    assert _messages(messages_twiml([text])) == ["abcdefghij"]
    kept = "tab\there\r\nand\rthere"
    assert _messages(messages_twiml([kept])) == _messages(_twilio([kept]))


def test_markup_in_a_body_is_escaped() -> None:
    escaped = messages_twiml(["1 < 2 & 3 > 2"])
    assert "<Message>1 &lt; 2 &amp; 3 &gt; 2</Message>" in escaped
