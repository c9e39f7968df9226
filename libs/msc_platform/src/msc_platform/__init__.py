"""Plumbing every MSC service uses; no business rules live here."""
