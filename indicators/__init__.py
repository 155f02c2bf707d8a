"""Indicator computations: pure polars. Never imports streamlit, sqlmodel or sqlalchemy."""
