"""Kiosk and personal-phone web intake: one question per page, rendered from intake_forms."""
