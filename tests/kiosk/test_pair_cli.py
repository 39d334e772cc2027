"""`flask kiosks pair` prints a link on the server's real address, or says plainly it cannot."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from extensions import db
from services.demo import KIOSK_LABEL, load_demo


def _pair(app: Flask, *args: str) -> str:
    with app.app_context():
        load_demo(db.session, users=False)
    result = app.test_cli_runner().invoke(args=["kiosks", "pair", KIOSK_LABEL, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_link_uses_public_base_url(make_app: Callable[..., Flask]) -> None:
    output = _pair(make_app(PUBLIC_BASE_URL="https://frontdoor.example.org:8443"))
    assert "https://frontdoor.example.org:8443/kiosk/pair/" in output
    assert ":5000" not in output


def test_base_url_option_wins(make_app: Callable[..., Flask]) -> None:
    output = _pair(make_app(PUBLIC_BASE_URL="https://frontdoor.example.org"), "--base-url", "http://10.0.0.5:8080/")
    assert "http://10.0.0.5:8080/kiosk/pair/" in output and "frontdoor.example.org" not in output


def test_without_an_address_it_says_which_url_to_open(make_app: Callable[..., Flask]) -> None:
    output = _pair(make_app(PUBLIC_BASE_URL=None))
    path = next(line for line in output.splitlines() if line.startswith("/kiosk/pair/"))
    assert len(path) > len("/kiosk/pair/")
    assert "http://127.0.0.1:5000/kiosk/pair/" not in output  # no made-up host and port
    assert "PUBLIC_BASE_URL is not set" in output and "--base-url" in output
