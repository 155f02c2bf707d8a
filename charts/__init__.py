"""Plotly figure builders: pure functions, no ``st.*`` inside."""
