"""Turn a call's next step into TwiML: <Say> in the caller's language and a <Gather> per prompt."""

from __future__ import annotations

import re

from flask import url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from intake_forms import languages
from voice.calls import Prompt, Turn
from voice.speech import Line, voice_for


def _say(target: VoiceResponse | Gather, line: Line, language: str) -> None:
    if not line.text:
        target.pause(length=1)
        return
    voice = voice_for(line.language or language)
    names = voice_for(languages.DEFAULT)
    pieces = _pieces(line.text, line.names) if voice.language != names.language else [(line.text, False)]
    if len(pieces) == 1:
        target.say(line.text, voice=voice.voice, language=voice.language)
        return
    say = target.say(voice=voice.voice, language=voice.language)
    for piece, is_name in pieces:
        if is_name:
            say.lang(piece, xml_lang=names.language)
        else:
            say.nest(piece)


def _pieces(text: str, names: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Split ``text`` into (piece, is a name) so each name can be read in the language it is in."""
    wanted = sorted({n for n in names if n}, key=len, reverse=True)
    if not wanted:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(n) for n in wanted))
    pieces: list[tuple[str, bool]] = []
    at = 0
    for found in pattern.finditer(text):
        if found.start() > at:
            pieces.append((text[at:found.start()], False))
        pieces.append((found.group(), True))
        at = found.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _gather(prompt: Prompt, language: str) -> Gather:
    voice = voice_for(language)
    options: dict[str, object] = {
        "input": "dtmf speech",
        "action": url_for("voice.step", n=prompt.step),
        "method": "POST",
        "language": voice.listens_in,
        "timeout": prompt.timeout,
        "speech_timeout": "auto",
        # Silence posts to the action too, so a re-ask counts as one of the caller's tries.
        "action_on_empty_result": True,
    }
    if prompt.num_digits is not None:
        options["num_digits"] = prompt.num_digits
    if prompt.finish_on_key is not None:
        options["finish_on_key"] = prompt.finish_on_key
    if prompt.hints:
        options["hints"] = ", ".join(prompt.hints)
    return Gather(**options)


def render(turn: Turn) -> str:
    """Return the TwiML document for a turn; a turn without a prompt ends the call."""
    response = VoiceResponse()
    for line in turn.said:
        _say(response, line, turn.language)
    if turn.prompt is None:
        response.hangup()
        return str(response)
    gather = _gather(turn.prompt, turn.language)
    for line in turn.prompt.lines:
        _say(gather, line, turn.language)
    response.append(gather)
    # Only reached if Twilio did not post the empty result: the same step then reads as silence.
    response.redirect(url_for("voice.step", n=turn.prompt.step), method="POST")
    return str(response)
