"""No staff e-mail, kiosk pairing code, phone number or client address in any log line.

The app runs on a real server (werkzeug, in a thread) through staff sign-in (including the
throttle), kiosk pairing and a text; a failing SQL statement with an e-mail parameter is logged
as the app logs errors. Every captured record, and gunicorn's access line for the same requests,
is checked.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from twilio.request_validator import RequestValidator

from config import TEST_TWILIO_AUTH_TOKEN
from extensions import db
from kiosk import device
from models import Kiosk, Role
from services.demo import load_demo

from .staff.conftest import add_user

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "casey.staffer@example.org"
PHONE = "+17855550163"
ADDRESS = "127.0.0.1"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _gunicorn_logger() -> type:
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.logger_class  # type: ignore[no-any-return]


def test_no_personal_data_or_secrets_in_logs(app: Flask, live_server: object,
                                             caplog: pytest.LogCaptureFixture) -> None:
    with app.app_context():
        load_demo(db.session)
        add_user(db.session, EMAIL, Role.STAFF)
        kiosk = db.session.scalars(select(Kiosk)).first()
        assert kiosk is not None
        code = device.start_pairing(db.session, kiosk).code
        db.session.commit()
    base = live_server.url  # type: ignore[attr-defined]
    caplog.set_level(logging.DEBUG)

    staff = requests.Session()
    token = _CSRF.search(staff.get(f"{base}/staff/login").text)
    assert token
    for _ in range(11):  # wrong passwords, then the throttle (a logged breach)
        staff.post(f"{base}/staff/login", data={"email": EMAIL, "password": "wrong!", "csrf_token": token[1]})
    tablet = requests.Session()
    page = tablet.get(f"{base}/kiosk/pair/{code}")
    assert page.status_code == 200
    pair_token = _CSRF.search(page.text)
    assert pair_token
    assert tablet.post(f"{base}/kiosk/pair/{code}", data={"csrf_token": pair_token[1]}).status_code in {200, 302}

    params = {"From": PHONE, "To": "+15005550006", "Body": "hello", "MessageSid": "SM" + "7" * 32, "NumMedia": "0"}
    signature = RequestValidator(TEST_TWILIO_AUTH_TOKEN).compute_signature(f"{base}/sms/inbound", params)
    assert requests.post(f"{base}/sms/inbound", data=params, headers={"X-Twilio-Signature": signature},
                         timeout=10).status_code == 200

    with app.app_context():
        try:
            db.session.execute(text("SELECT CAST(:email AS INTEGER) / 0"), {"email": EMAIL})
            db.session.execute(text("SELECT * FROM no_such_table WHERE email = :email"), {"email": EMAIL})
        except SQLAlchemyError:
            db.session.rollback()
            app.logger.exception("a query failed")

    # urllib3 is this test's own HTTP client, not the app.
    app_records = [r for r in caplog.records if not r.name.startswith("urllib3")]
    formatter = logging.Formatter()
    caplog_text = "\n".join(f"{r.name} {r.getMessage()} {formatter.formatException(r.exc_info) if r.exc_info else ''}"
                             for r in app_records)
    assert "kiosk/pair" in caplog_text, "the requests were logged"
    assert "a query failed" in caplog_text
    for secret in (EMAIL, code, PHONE, PHONE[2:], ADDRESS):
        assert secret not in caplog_text, secret

    # Gunicorn's access line for the pairing request, in the configured format.
    logger_class = _gunicorn_logger()
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    access = logger_class(cfg)
    request = SimpleNamespace(method="GET", path=f"/kiosk/pair/{code}", query="", uri=f"/kiosk/pair/{code}",
                              version=(1, 1), headers=[("USER-AGENT", "tablet")])
    environ = {"REMOTE_ADDR": ADDRESS, "RAW_URI": f"/kiosk/pair/{code}", "PATH_INFO": f"/kiosk/pair/{code}",
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": "GET"}
    response = SimpleNamespace(status="200 OK", sent=120, response_length=120, headers=[])
    from datetime import timedelta

    line = access.cfg.access_log_format % access.atoms(response, request, environ, timedelta(milliseconds=5))
    assert "/kiosk/pair/" in line
    assert code not in line and ADDRESS not in line
