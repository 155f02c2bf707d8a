"""Everything that touches the SQL store. Never imports streamlit."""
