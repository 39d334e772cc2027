"""HMIS CSV FY2026: the pure mapping (``mapping``), the file writer (``writer``), the export
service with its scope, exclusions and audit row (``export``), and the FY2026 table schema the
tests validate every export against (``schema/datapackage.json``)."""
