"""Hardening: login throttling, two-factor authentication, Content Security Policy, backup and restore."""
