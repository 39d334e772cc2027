"""Gunicorn settings read automatically from the working directory (Procfile and make run)."""

# Access log: time, method, path WITHOUT the query string, status, size, duration in ms.
# No client address and no query string: either can identify a person asking for help.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# X-Forwarded-* headers are handled in the app by ProxyFix (TRUST_PROXY_HOPS), not here.

from gunicorn.glogging import Logger  # noqa: E402


class PathSafeLogger(Logger):
    """Gunicorn's logger with one-time secrets in paths (kiosk pairing codes) hidden."""

    def atoms(self, resp: object, req: object, environ: dict[str, object], request_time: object) -> dict[str, str]:
        from app import redact_path

        atoms: dict[str, str] = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "{raw_uri}e", "{path_info}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_path(atoms[key])
        atoms["h"] = "-"  # no client address, whatever the format says
        return atoms


logger_class = PathSafeLogger


def on_starting(server: object) -> None:
    """Warn when several workers would each keep their own rate-limit counts (memory://)."""
    import os

    from config import shared_storage_warning

    cfg = getattr(server, "cfg", None)
    warning = shared_storage_warning(os.environ, int(getattr(cfg, "workers", 1) or 1))
    if warning:
        server.log.warning("%s", warning)  # type: ignore[attr-defined]


def post_worker_init(worker: object) -> None:
    """Load what the first request would otherwise wait for (see app.warm_up)."""
    from flask import Flask

    from app import warm_up

    application = getattr(worker, "wsgi", None)
    if isinstance(application, Flask):
        warm_up(application)
