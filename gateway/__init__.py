"""The HTTP edge in front of the Streamlit script: the session-cookie routes and the client
address behind trusted proxies. Mounted by ``serve.py`` through ``st.App``."""
ACTIVE = False  # set by serve.py: the routes and the client-address middleware are mounted
