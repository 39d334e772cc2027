"""Every text we send, folded to GSM-7 and counted: GSM-7 or UCS-2, and how many segments (160/153 or 70/67).

One character outside GSM-7 turns the whole message into UCS-2 (70 characters a segment), so
``plain`` swaps such characters for a GSM-7 one that reads as well (á -> a, curly quotes ->
straight) before anything is sent. GSM-7 extension characters (€ [ ] { } | ~ ^ \\) cost two.

``outbound`` is the one door for every text that leaves, through the outbox (``outbox.enqueue_sms``
calls it) or as a reply to an inbound text (``sms.views.twiml``): it folds by the household's
language policy (``Language.folds``): a GSM-7 language is folded, a UCS-2 language (Vietnamese
tones, Arabic, Burmese) is sent as written.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata

from intake_forms import languages

log = logging.getLogger(__name__)

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

#: Twilio's maximum body length.
MAX_CHARS = 1600
#: Our budget for one outbound message.
MAX_SEGMENTS = 3

_PLAIN = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2212": "-",
    "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
    "\u2022": "-", "\u00b7": "-",
}


def is_gsm7(text: str) -> bool:
    """Tell whether every character fits the GSM-7 alphabet (basic or extension)."""
    return GSM7.issuperset(text)


def encoding(text: str) -> str:
    """Return ``"GSM-7"`` or ``"UCS-2"``, the encoding a carrier would use for ``text``."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def units(text: str) -> int:
    """Return the length in encoding units: septets for GSM-7, UTF-16 code units for UCS-2."""
    if is_gsm7(text):
        return len(text) + sum(text.count(ch) for ch in GSM7_EXTENSION)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """Return how many SMS segments ``text`` takes (0 for an empty text)."""
    length = units(text)
    if length == 0:
        return 0
    single, multi = (160, 153) if is_gsm7(text) else (70, 67)
    return 1 if length <= single else math.ceil(length / multi)


def plain(text: str) -> str:
    """Replace characters that would force UCS-2 with GSM-7 ones that read as well.

    Letters keep their accent when GSM-7 has it (é, ñ, ü, à); others lose it (á -> a, ó -> o).
    Characters with no plain form (emoji, other scripts) are kept: the text then goes as UCS-2.
    """
    if GSM7.issuperset(text):
        return text  # the common case: nothing to replace
    out: list[str] = []
    for ch in text:
        if ch in GSM7:
            out.append(ch)
            continue
        if ch in _PLAIN:
            out.append(_PLAIN[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(base if base and is_gsm7(base) else ch)
    return "".join(out)


class OverBudget(ValueError):
    """A text would take more segments than its budget."""


def fold(text: str, language: str) -> str:
    """Fold ``text`` to GSM-7 when ``language`` is folded (``Language.folds``), else return it as is.

    A text in a folded language that stays UCS-2 after folding (the language menu lists every
    language in its own script) is not folded either: folding would strip other languages' tones
    and save no segment. An unknown language raises ``KeyError``.
    """
    if not languages.language(language).folds:
        return text
    folded = plain(text)
    return folded if is_gsm7(folded) else text


def outbound(text: str, *, language: str, purpose: str = "text", budget: int = MAX_SEGMENTS,
             strict: bool = False) -> str:
    """Return ``text`` as it is sent in ``language``: folded by its policy (``fold``), spaces tidied,
    within the budget.

    A text over ``budget`` segments is logged (its purpose and size, never its words) and still
    sent, so a household never loses a message; ``strict`` raises ``OverBudget`` instead (tests).
    """
    tidied = "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
    sent = fold(tidied, language)
    count = segments(sent)
    if count > budget:
        if strict:
            raise OverBudget(f"{purpose}: {count} segments ({encoding(sent)}), budget {budget}")
        log.warning("outbound text %s takes %d segments (%s), over its budget of %d",
                    purpose, count, encoding(sent), budget)
    return sent[:MAX_CHARS]


#: Where a text may be cut into two messages: after a sentence's end (Latin, Arabic or Myanmar
#: punctuation) or at a line break.
_SENTENCE_END = re.compile(r"((?<=[.!?\u061f\u104b])[ \t]+|\n)")


def split(text: str, *, language: str, budget: int = MAX_SEGMENTS) -> list[str]:
    """Return ``text`` as the messages it is sent in: one when it fits ``budget`` segments once
    folded by the language's policy, else whole sentences (or lines) packed in order into as few
    messages as fit (a UCS-2 segment holds 70 characters: a long confirmation goes as two texts
    rather than one over budget). A sentence longer than the budget alone stays one message.
    """
    if segments(fold(text.strip(), language)) <= budget:
        return [text]
    pieces = _SENTENCE_END.split(text.strip())  # sentence, separator, sentence, ...
    messages: list[str] = []
    current = pieces[0]
    for separator, sentence in zip(pieces[1::2], pieces[2::2], strict=True):
        joined = current + separator + sentence
        if current.strip() and segments(fold(joined, language)) > budget:
            messages.append(current.strip())
            current = sentence
        else:
            current = joined
    if current.strip():
        messages.append(current.strip())
    return messages
