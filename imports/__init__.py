"""Importing data files (CSV / XLSX) into the store: kinds, reader, validation, loading."""
