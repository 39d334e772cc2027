"""The TwiML a text is answered with: ``<Response>`` with one ``<Message>`` per text.

Written as a string: building an element tree for a few messages costs more than the rest of a
common text's reply. Bodies are escaped for XML text, and characters XML 1.0 does not allow (NUL
and the other control characters but tab, newline and carriage return; unpaired surrogates;
U+FFFE and U+FFFF) are dropped, so the document always parses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
#: Everything outside XML 1.0's Char production.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Return ``text`` as XML character data: escaped, without characters XML cannot carry."""
    return escape(_NOT_XML.sub("", text))


def messages_twiml(texts: Iterable[str]) -> str:
    """Return a TwiML document with one ``<Message>`` per text (none: an empty ``<Response/>``)."""
    body = "".join(f"<Message>{xml_text(text)}</Message>" for text in texts)
    return f"{_HEAD}<Response>{body}</Response>" if body else f"{_HEAD}<Response />"
