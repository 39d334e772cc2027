"""Turn a call's next step into TwiML: <Say> in the caller's language and a <Gather> per prompt."""

from __future__ import annotations

from flask import url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from voice.calls import Prompt, Turn
from voice.speech import Line, voice_for


def _say(target: VoiceResponse | Gather, line: Line, language: str) -> None:
    if not line.text:
        target.pause(length=1)
        return
    voice = voice_for(line.language or language)
    target.say(line.text, voice=voice.voice, language=voice.language)


def _gather(prompt: Prompt, language: str) -> Gather:
    voice = voice_for(language)
    options: dict[str, object] = {
        "input": "dtmf speech",
        "action": url_for("voice.step", n=prompt.step),
        "method": "POST",
        "language": voice.language,
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
