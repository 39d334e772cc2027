"""Check that a webhook request really comes from Twilio, before anything else reads it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import parse_qs, urlparse

from flask import abort, current_app, request
from twilio.request_validator import (  # type: ignore[import-untyped]
    RequestValidator,
    add_port,
    compare,
    remove_port,
)

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def signed_url() -> str:
    """Return the URL Twilio signed: PUBLIC_BASE_URL + path + query when set, else the request URL."""
    base: str | None = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        query = request.query_string.decode("utf-8", "replace")
        return base.rstrip("/") + request.path + (f"?{query}" if query else "")
    return request.url


def request_is_from_twilio() -> bool:
    """Validate X-Twilio-Signature for this request with the configured auth token."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    if not token:
        if current_app.config.get("FRONTDOOR_ENV", "development") == "development":
            log.warning("TWILIO_AUTH_TOKEN is not set: accepting an unsigned webhook (development only)")
            return True
        return False
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(token)
    # Twilio signed the fields it sent; the app's request class may have cleaned ``form``.
    sent: Any = getattr(request, "raw_form", request.form)
    return signature_matches(validator, signed_url(), sent.to_dict(flat=True), signature)


def signature_matches(validator: RequestValidator, url: str, params: dict[str, str], signature: str) -> bool:
    """Check ``signature`` over ``url`` and ``params``, computing one HMAC when it matches.

    Twilio signs the URL with or without an explicit port (``:443``) depending on the request;
    ``RequestValidator.validate`` always computes both. The URL as configured is tried first and
    the other form only when that does not match.
    """
    parsed = urlparse(url)
    if "bodySHA256" in parse_qs(parsed.query):
        return bool(validator.validate(url, params, signature))  # a JSON body: the library's full check
    if compare(validator.compute_signature(url, params), signature):
        return True
    other = remove_port(parsed) if parsed.port else add_port(parsed)
    return bool(other != url and compare(validator.compute_signature(other, params), signature))


def twilio_signed(view: Callable[P, R]) -> Callable[P, R]:
    """Refuse (403) any request to this view that Twilio did not sign."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not request_is_from_twilio():
            log.warning("rejected a webhook with a missing or wrong Twilio signature: %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapped
