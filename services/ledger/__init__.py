"""Ledger: one file per person (一人一档), cases, plans and visits."""
