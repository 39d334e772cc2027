"""Gunicorn settings read automatically from the working directory (Procfile and make run)."""

# Access log: time, method, path WITHOUT the query string, status, size, duration in ms.
# No client address and no query string: either can identify a person asking for help.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# X-Forwarded-* headers are handled in the app by ProxyFix (TRUST_PROXY_HOPS), not here.
