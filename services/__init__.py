"""Verbs that own the transaction: intake, routing, PII crypto, accounts, demo data."""
