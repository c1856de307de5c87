"""Clients of external systems."""
