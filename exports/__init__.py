"""Exporting stored indicator values as tidy CSV / XLSX files."""
