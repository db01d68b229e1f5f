"""Claiming a business: it proves it speaks for itself (a one-time code to a contact on
record from an authoritative source) and gets a business token for its own file."""
