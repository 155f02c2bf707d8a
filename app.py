"""Entry point: ``streamlit run app.py``. Login → filters → the pages this role may open."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import OperationalError

from core.model_config import ConfigError
from data_access.db import DatabaseUnavailable
from ui import auth, cache
from ui.context import app_settings, change_model
from ui.filters import sidebar_filters
from ui.navigation import anonymous_navigation, pages_for, remember_requested_page

st.set_page_config(page_title="Forandringsmodel · En bedre chance i livet", page_icon="📈",
                   layout="wide")

DB_DOWN = ("Databasen svarer ikke lige nu. Prøv igen om lidt – siden henter data igen af sig selv, "
           "når forbindelsen er tilbage.")


def main() -> None:
    # 1. Settings and the change model: a bad config stops here with a clear message
    try:
        settings = app_settings()
        config = change_model()
    except ConfigError as exc:
        st.error(f"Konfigurationen er ugyldig og skal rettes, før dashboardet kan starte.\n\n"
                 f"```\n{exc}\n```")
        st.stop()
    # 2. Login
    remember_requested_page()
    try:
        viewer = auth.login(settings)
    except auth.InsecureCookieKey as exc:
        st.error(str(exc))
        st.stop()
    if viewer is None:
        anonymous_navigation(config)
        st.stop()
    st.sidebar.markdown(f"**{viewer.display_name}**  \n{', '.join(viewer.roles)}")
    auth.logout_button()
    # 3. Filters (in the URL) and the pages this role may open
    version = cache.current_data_version(settings.database_url)
    st.session_state["data_version"] = version
    filters = sidebar_filters(config, viewer, settings.database_url, version)
    if filters is None:
        st.stop()
    st.session_state["filters"] = filters
    page = pages_for(viewer, filters.programme)
    page.run()


try:
    main()
except (DatabaseUnavailable, OperationalError):
    st.error(DB_DOWN, icon="⏳")
