"""Staff page to download the HMIS CSV export (a blueprint nested in ``staff``: its sign-in and
session rules apply); the work is done by ``services.hmis.export``."""
