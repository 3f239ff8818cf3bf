"""Thin ctypes bindings, one module per kernel facility.  No policy lives here."""
