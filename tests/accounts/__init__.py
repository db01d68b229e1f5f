"""Accounts: passwords, two-factor, sessions and per-account throttling (issue 18)."""
