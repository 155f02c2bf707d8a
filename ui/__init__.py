"""Streamlit building blocks shared by the pages: context, cache, filters, login, tiles."""
