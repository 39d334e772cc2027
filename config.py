"""Configuration per FRONTDOOR_ENV (development, production, testing), read from the environment.

Each class turns the process environment into a plain dict of Flask settings with ``load()``.
``create_app`` applies that dict, then any ``test_config`` overrides, then ``validate()``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from cryptography.fernet import Fernet

from intake_forms import languages

LANGUAGES = list(languages.CODES)


def shared_storage_warning(environ: Mapping[str, str], workers: int) -> str | None:
    """Return a warning when production runs several workers on per-process (memory) rate limits."""
    if environ.get("FRONTDOOR_ENV", "development") != "production" or workers <= 1:
        return None
    storage = (environ.get("RATELIMIT_STORAGE_URI") or "").strip() or ProductionConfig.default_ratelimit_storage
    if not storage.startswith("memory://"):
        return None
    return (
        f"Rate limits are counted in memory by each of {workers} workers, so every limit is "
        f"{workers} times looser than configured. Set RATELIMIT_STORAGE_URI to a Redis URL "
        "(redis://host:6379/0) when running more than one worker."
    )


class ConfigError(RuntimeError):
    """Raise when the environment does not describe a usable configuration."""


def database_url(url: str) -> str:
    """Return a SQLAlchemy URL, mapping ``postgres://`` and ``postgresql://`` to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict[str, Any]:
    """Return SQLAlchemy engine options suited to the database behind ``url``.

    ``hide_parameters`` keeps bound values (e-mail addresses, blind indexes) out of error
    messages and logs.
    """
    if url.startswith("sqlite"):
        # The PRAGMAs (WAL, foreign keys, busy timeout) are set per connection by a listener
        # registered in app.register_extensions.
        return {"hide_parameters": True}
    # No pool_pre_ping: it costs a round trip on every request. A connection that sat idle in the
    # pool is pinged when it is checked out (app.ping_after_idle), a busy one is not; connections
    # are replaced after half an hour in any case.
    return {"pool_recycle": 1800, "hide_parameters": True}


def parse_pii_keys(raw: str) -> list[str]:
    """Split comma-separated Fernet keys (newest first) and check that each one is valid."""
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            # Never echo the key itself.
            raise ConfigError(
                f"PII_KEYS: key number {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from None
    return keys


def read_or_create_secret(path: Path, make: Any) -> str:
    """Return the secret stored at ``path``, creating it once (mode 0600) with ``make()``.

    The file is written under a temporary name and then hard-linked into place, so two workers
    starting at the same time agree on one value.
    """
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(str(make()) + "\n")
        # If another process won the race, keep its value.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


class Config:
    """Settings shared by every environment."""

    name: ClassVar[str] = "base"
    debug: ClassVar[bool] = False
    secure_cookies: ClassVar[bool] = False
    default_proxy_hops: ClassVar[int] = 0
    #: Where rate-limit counts live when RATELIMIT_STORAGE_URI is unset.
    default_ratelimit_storage: ClassVar[str] = "memory://"

    def __init__(self, instance_path: str, environ: Mapping[str, str] | None = None) -> None:
        self.instance_path = Path(instance_path)
        self.environ = os.environ if environ is None else environ

    # -- reading the environment -------------------------------------------------------------
    def env(self, name: str, default: str | None = None) -> str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return default
        return value.strip()

    def env_int(self, name: str, default: int) -> int:
        raw = self.env(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None

    def env_bool(self, name: str, default: bool) -> bool:
        raw = self.env(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")

    def env_json(self, name: str) -> Any:
        raw = self.env(name)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{name} is not valid JSON: {exc.msg}") from None

    # -- per-environment hooks -----------------------------------------------------------------
    def database_uri(self) -> str:
        url = self.env("DATABASE_URL")
        if url:
            return database_url(url)
        return "sqlite:///" + str(self.instance_path / "frontdoor.sqlite3")

    def secret_key(self) -> str | None:
        return self.env("SECRET_KEY")

    def pii_keys(self) -> list[str]:
        return parse_pii_keys(self.env("PII_KEYS", "") or "")

    def twilio(self) -> dict[str, Any]:
        return {
            "TWILIO_ACCOUNT_SID": self.env("TWILIO_ACCOUNT_SID"),
            "TWILIO_AUTH_TOKEN": self.env("TWILIO_AUTH_TOKEN"),
            "TWILIO_FROM_NUMBER": self.env("TWILIO_FROM_NUMBER"),
            "TWILIO_MESSAGING_SERVICE_SID": self.env("TWILIO_MESSAGING_SERVICE_SID"),
        }

    def sms_backend(self, twilio: Mapping[str, Any]) -> str:
        backend = self.env("SMS_BACKEND")
        if backend is None:
            has_creds = twilio["TWILIO_ACCOUNT_SID"] and twilio["TWILIO_AUTH_TOKEN"]
            backend = "twilio" if has_creds else "console"
        # "fake" records texts in SMS_FAKE_STORE (a SQLite file) instead of sending: tests, benchmarks.
        if backend not in {"twilio", "console", "fake"}:
            raise ConfigError(f"SMS_BACKEND must be 'twilio', 'console' or 'fake', got {backend!r}")
        return backend

    def mail_url(self) -> str | None:
        url = self.env("MAIL_URL")
        if url is not None and url != "console://" and not url.startswith(("smtp://", "smtps://")):
            raise ConfigError("MAIL_URL must start with smtp:// or smtps:// (or be unset for the console)")
        return url

    # -- the result ----------------------------------------------------------------------------
    def load(self) -> dict[str, Any]:
        """Return the Flask settings for this environment."""
        uri = self.database_uri()
        twilio = self.twilio()
        base_url = self.env("PUBLIC_BASE_URL")
        weights = self.env_json("PRIORITY_WEIGHTS")
        if weights is not None and not isinstance(weights, dict):
            raise ConfigError("PRIORITY_WEIGHTS must be a JSON object such as {\"dv\": 10}")
        return {
            "FRONTDOOR_ENV": self.name,
            "DEBUG": self.debug,
            "TESTING": False,
            "SECRET_KEY": self.secret_key(),
            "PII_KEYS": self.pii_keys(),
            "SQLALCHEMY_DATABASE_URI": uri,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(uri),
            "SQLALCHEMY_TRACK_MODIFICATIONS": False,
            "PUBLIC_BASE_URL": base_url.rstrip("/") if base_url else None,
            **twilio,
            "TWILIO_ROUTES_ENABLED": self.env_bool("TWILIO_ROUTES_ENABLED", True),
            "SMS_BACKEND": self.sms_backend(twilio),
            "SMS_FAKE_STORE": self.env("SMS_FAKE_STORE"),
            # E-mail: smtp://user:password@host:587 (STARTTLS), smtps://host:465, or unset for the console.
            "MAIL_URL": self.mail_url(),
            "MAIL_FROM": self.env("MAIL_FROM", "Front Door <no-reply@localhost>"),
            # Who hears of an intake that no access point's staff would (no access point, or one with no
            # alert address, on-call phone or staff, in a region without coordinators): these
            # addresses, comma-separated; empty: the active admins.
            "COC_ALERT_EMAILS": self.env("COC_ALERT_EMAILS", ""),
            # Alerts: an intake with this priority or more (or no safe place tonight) is urgent.
            "ALERT_URGENT_PRIORITY": self.env_int("ALERT_URGENT_PRIORITY", 4),
            # Response targets in business minutes of the access point (CoC defaults; an access
            # point may set its own): claim, first contact attempt, and claim when urgent.
            "TARGET_CLAIM_MINUTES": self.env_int("TARGET_CLAIM_MINUTES", 4 * 60),
            "TARGET_CONTACT_MINUTES": self.env_int("TARGET_CONTACT_MINUTES", 8 * 60),
            "TARGET_URGENT_MINUTES": self.env_int("TARGET_URGENT_MINUTES", 60),
            # A missed target reminds staff; this many business minutes later, coordinators are alerted.
            "ESCALATE_AFTER_MINUTES": self.env_int("ESCALATE_AFTER_MINUTES", 60),
            # flask outbox work looks at response timers and digests this often (seconds; 0: never).
            "TIMERS_EVERY_SECONDS": self.env_int("TIMERS_EVERY_SECONDS", 60),
            # The hour (in each access point's time zone) of the daily digest e-mail.
            "DIGEST_HOUR": self.env_int("DIGEST_HOUR", 8),
            # Households: the reminder of a scheduled assessment goes at this hour (access point's time
            # zone) the day before; an intake still open this many days after submission gets one
            # check-in text per such period (0: none); a reply counts for this many days.
            "REMINDER_HOUR": self.env_int("REMINDER_HOUR", 10),
            "CHECKIN_AFTER_DAYS": self.env_int("CHECKIN_AFTER_DAYS", 14),
            "CHECKIN_REPLY_DAYS": self.env_int("CHECKIN_REPLY_DAYS", 7),
            # A text left in 'sending' without a Twilio sid this long was stranded by a dead worker.
            "OUTBOX_STALE_SECONDS": self.env_int("OUTBOX_STALE_SECONDS", 300),
            # A failed send waits this long before its next attempt, doubled after each failure, at
            # most OUTBOX_RETRY_MAX_SECONDS; after five attempts the message is marked failed.
            "OUTBOX_RETRY_SECONDS": self.env_int("OUTBOX_RETRY_SECONDS", 60),
            "OUTBOX_RETRY_MAX_SECONDS": self.env_int("OUTBOX_RETRY_MAX_SECONDS", 3600),
            # Set explicitly: the shared Limiter object otherwise keeps the last app's value.
            "RATELIMIT_ENABLED": self.env_bool("RATELIMIT_ENABLED", True),
            "RATELIMIT_STORAGE_URI": self.env("RATELIMIT_STORAGE_URI", self.default_ratelimit_storage),
            # A fixed window is one Redis round trip per limit (INCR with EXPIRE in one script).
            "RATELIMIT_STRATEGY": self.env("RATELIMIT_STRATEGY", "fixed-window"),
            # A rate limiter is a guard, not a dependency: when its storage (Redis) is unreachable
            # Flask-Limiter counts in this process's memory (logging that once) and retries the
            # storage now and then, so texts and sign-ins keep being answered.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "RATELIMIT_SWALLOW_ERRORS": True,
            # Give up on an unreachable Redis quickly rather than hold a request.
            "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "RATELIMIT_HEADERS_ENABLED": True,
            "PURGE_AFTER_HOURS": self.env_int("PURGE_AFTER_HOURS", 72),
            # flask outbox work runs the purge this often (minutes; 0 turns it off).
            "PURGE_EVERY_MINUTES": self.env_int("PURGE_EVERY_MINUTES", 60),
            "KIOSK_IDLE_SECONDS": self.env_int("KIOSK_IDLE_SECONDS", 120),
            "KIOSK_IDLE_WARNING_SECONDS": self.env_int("KIOSK_IDLE_WARNING_SECONDS", 30),
            "SMS_RESUME_DAYS": self.env_int("SMS_RESUME_DAYS", 7),
            "SMS_SLOW_REPLY_SECONDS": self.env_int("SMS_SLOW_REPLY_SECONDS", 10),
            # Staff sign-in: signed out after this much inactivity, and after this long in any case.
            "STAFF_IDLE_MINUTES": self.env_int("STAFF_IDLE_MINUTES", 30),
            "STAFF_SESSION_HOURS": self.env_int("STAFF_SESSION_HOURS", 12),
            # Per phone number on /sms/inbound (Flask-Limiter syntax); storage is RATELIMIT_STORAGE_URI.
            "SMS_RATE_LIMIT": self.env("SMS_RATE_LIMIT", "20 per minute;300 per day"),
            # Starts and submits of the web intake (not kiosks), per client address and per device
            # cookie (Flask-Limiter syntax). A shelter's or library's shared address needs room.
            "WEB_INTAKE_CLIENT_RATE_LIMIT": self.env("WEB_INTAKE_CLIENT_RATE_LIMIT", "30 per hour;10 per 10 minutes"),
            "WEB_INTAKE_DEVICE_RATE_LIMIT": self.env("WEB_INTAKE_DEVICE_RATE_LIMIT", "6 per hour;3 per 10 minutes"),
            # Wrong status lookups (a reference code with the wrong check) allowed per code and per
            # client (texting number, caller, web address; keyed hashes) before lookups wait.
            "STATUS_RATE_LIMIT": self.env("STATUS_RATE_LIMIT", "5 per 15 minutes;20 per day"),
            "PRIORITY_WEIGHTS": weights,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "PREFERRED_URL_SCHEME": "https" if self.secure_cookies else "http",
            # Intake forms and Twilio webhooks are small; refuse oversized bodies early.
            "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
            "WTF_CSRF_ENABLED": True,
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "UTC",
            "BABEL_TRANSLATION_DIRECTORIES": "translations",
            "LANGUAGES": list(LANGUAGES),
            "TRUST_PROXY_HOPS": self.env_int("TRUST_PROXY_HOPS", self.default_proxy_hops),
            # HMIS CSV export: a fixed id per deployment (default from the home CoC), the source name,
            # the time zone of its dates, and {"question_key": "HMIS field name"} for AssessmentQuestion.
            "HMIS_IMPLEMENTATION_ID": self.env("HMIS_IMPLEMENTATION_ID"),
            "HMIS_SOURCE_NAME": self.env("HMIS_SOURCE_NAME"),
            "HMIS_TIMEZONE": self.env("HMIS_TIMEZONE", "America/Chicago"),
            "HMIS_FIELD_NAMES": self.hmis_field_names(),
        }

    def hmis_field_names(self) -> dict[str, str]:
        names = self.env_json("HMIS_FIELD_NAMES")
        if names is None:
            return {}
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise ConfigError('HMIS_FIELD_NAMES must be a JSON object such as {"veteran": "veteran_status"}')
        return {str(k): v for k, v in names.items()}

    @staticmethod
    def validate(settings: Mapping[str, Any]) -> None:
        """Raise ConfigError when the final settings cannot run."""
        if not settings.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY is not set")
        if not settings.get("PII_KEYS"):
            raise ConfigError("PII_KEYS is not set")


class DevelopmentConfig(Config):
    """Local use: secrets are generated once into the instance folder."""

    name = "development"

    def secret_key(self) -> str:
        return self.env("SECRET_KEY") or read_or_create_secret(
            self.instance_path / "secret_key", lambda: secrets.token_hex(32)
        )

    def pii_keys(self) -> list[str]:
        raw = self.env("PII_KEYS") or read_or_create_secret(
            self.instance_path / "pii_keys", lambda: Fernet.generate_key().decode("ascii")
        )
        return parse_pii_keys(raw)


class ProductionConfig(Config):
    """Deployed behind a TLS proxy: secrets must come from the environment."""

    name = "production"
    secure_cookies = True
    # Several workers (or hosts) must share one count, or every limit is that many times looser.
    # Redis down is not fatal: Flask-Limiter counts in memory until it answers again.
    default_ratelimit_storage = "redis://127.0.0.1:6379/0"
    # No proxy is trusted unless TRUST_PROXY_HOPS says how many there are: trusting one that is
    # not there lets anyone choose their address with X-Forwarded-For (and so dodge the sign-in
    # limit per address).

    @staticmethod
    def validate(settings: Mapping[str, Any]) -> None:
        missing = [name for name in ("SECRET_KEY", "PII_KEYS") if not settings.get(name)]
        if settings.get("TWILIO_ROUTES_ENABLED") and not settings.get("TWILIO_AUTH_TOKEN"):
            missing.append("TWILIO_AUTH_TOKEN")
        if missing:
            raise ConfigError(
                "Production needs these environment variables: "
                + ", ".join(missing)
                + " (set TWILIO_ROUTES_ENABLED=0 to run without the Twilio routes)"
            )


# Fixed, obviously fake values so that tests are repeatable. Never used outside FRONTDOOR_ENV=testing.
TEST_SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
TEST_PII_KEY = "dGVzdGluZy1waWkta2V5LW5vdC1mb3ItcHJvZHVjdCE="  # base64 of 32 fixed bytes
TEST_TWILIO_AUTH_TOKEN = "testing-twilio-auth-token"  # noqa: S105


class TestingConfig(Config):
    """Tests: fixed keys, console SMS, and never the real DATABASE_URL."""

    name = "testing"
    __test__ = False  # not a pytest test class

    def __init__(self, instance_path: str, environ: Mapping[str, str] | None = None) -> None:
        # Hermetic: only TEST_DATABASE_URL is read; everything else uses defaults or test_config.
        environ = os.environ if environ is None else environ
        kept = {k: environ[k] for k in ("TEST_DATABASE_URL",) if k in environ}
        super().__init__(instance_path, kept)

    def database_uri(self) -> str:
        url = self.env("TEST_DATABASE_URL")
        if url:
            return database_url(url)
        return "sqlite:///" + os.path.join(
            tempfile.gettempdir(), f"frontdoor-test-{os.getpid()}.sqlite3"
        )

    def secret_key(self) -> str:
        return TEST_SECRET_KEY

    def pii_keys(self) -> list[str]:
        return [TEST_PII_KEY]

    def twilio(self) -> dict[str, Any]:
        return {
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": TEST_TWILIO_AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_MESSAGING_SERVICE_SID": None,
        }

    def sms_backend(self, twilio: Mapping[str, Any]) -> str:
        return "console"

    def load(self) -> dict[str, Any]:
        settings = super().load()
        settings["TESTING"] = True
        return settings


CONFIGS: dict[str, type[Config]] = {
    cls.name: cls for cls in (DevelopmentConfig, ProductionConfig, TestingConfig)
}


def config_class(env: str) -> type[Config]:
    """Return the configuration class for a FRONTDOOR_ENV value."""
    try:
        return CONFIGS[env]
    except KeyError:
        raise ConfigError(
            f"FRONTDOOR_ENV must be one of {', '.join(CONFIGS)}, got {env!r}"
        ) from None
