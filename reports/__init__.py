"""Printable reports (meeting pack) built from stored values."""
