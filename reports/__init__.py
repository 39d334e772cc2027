"""Reports: the dashboard, the case-conferencing list and their CSV downloads (``/staff/reports/``).

A blueprint nested in ``staff`` (sign-in, session expiry and no-store apply); views are thin over
``services.reports``; charts are SVG drawn on the server (``reports.charts``), no script.
"""
