"""Tamper-evident audit trail: every entry is chained to the one before it."""
