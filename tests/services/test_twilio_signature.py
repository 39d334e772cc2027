"""The Twilio signature is checked with one HMAC when it matches the configured URL."""

from __future__ import annotations

from typing import Any

from twilio.request_validator import RequestValidator

from services.twilio_webhooks import signature_matches

TOKEN = "signature-test-token"
PARAMS = {"From": "+17855550142", "To": "+15005550006", "Body": "hi", "MessageSid": "SM" + "1" * 32}


class CountingValidator(RequestValidator):  # type: ignore[misc]
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.computed = 0

    def compute_signature(self, uri: str, params: Any, algorithm: Any = None) -> str:
        self.computed += 1
        return str(super().compute_signature(uri, params))


def test_a_matching_signature_costs_one_hmac() -> None:
    url = "https://frontdoor.example.org/sms/inbound"
    validator = CountingValidator(TOKEN)
    assert signature_matches(validator, url, PARAMS, RequestValidator(TOKEN).compute_signature(url, PARAMS))
    assert validator.computed == 1


def test_the_url_signed_with_or_without_its_port_is_accepted() -> None:
    plain, with_port = "https://frontdoor.example.org/sms/inbound", "https://frontdoor.example.org:443/sms/inbound"
    signer = RequestValidator(TOKEN)
    for configured, signed in ((plain, with_port), (with_port, plain)):
        validator = CountingValidator(TOKEN)
        assert signature_matches(validator, configured, PARAMS, signer.compute_signature(signed, PARAMS))
        assert validator.computed == 2


def test_a_wrong_signature_or_changed_field_is_refused() -> None:
    url = "https://frontdoor.example.org/sms/inbound"
    signature = RequestValidator(TOKEN).compute_signature(url, PARAMS)
    assert not signature_matches(RequestValidator(TOKEN), url, {**PARAMS, "Body": "STOP"}, signature)
    assert not signature_matches(RequestValidator("another-token"), url, PARAMS, signature)
    assert not signature_matches(RequestValidator(TOKEN), url, PARAMS, "")
