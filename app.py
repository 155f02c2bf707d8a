"""Entry point: ``streamlit run app.py``. Login → the pages this role may open → the page's
filters (none on the admin pages) → the page."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from core.model_config import ConfigError
from core.settings import SettingsError
from data_access.db import DatabaseUnavailable, get_engine, schema_status
from indicators.format import format_updated
from pages.layer import layer_page  # the one callable page: one st.Page per layer (navigation)
from ui import auth, cache, session
from ui.context import app_settings, change_model
from ui.filters import chosen_programme, keep_filters, needs_filters, sidebar_filters
from ui.navigation import anonymous_navigation, pages_for
from ui.streamlit_da import danish_page_script

st.set_page_config(page_title="Forandringsmodel · En bedre chance i livet", page_icon="📈",
                   layout="wide")

# Streamlit serves <html lang="en">, and its own screen-reader labels are English: the page is
# made Danish (ui.streamlit_da), so screen readers read it with Danish rules and words.
st.html(danish_page_script(), unsafe_allow_javascript=True)

LOG = logging.getLogger("dashboard")
UNEXPECTED = ("Der opstod en uventet fejl, og siden kunne ikke vises. Fejlen er skrevet i "
              "serverens log. Prøv igen, eller kontakt en administrator, hvis det gentager sig.")
DB_DOWN = ("Databasen svarer ikke lige nu. Prøv igen om lidt – siden henter data igen af sig selv, "
           "når forbindelsen er tilbage.")


def main() -> None:
    # 1. Settings and the change model: a bad config stops here with a clear message
    try:
        settings = app_settings()
        config = change_model()
    except (ConfigError, SettingsError) as exc:
        st.error(f"Konfigurationen er ugyldig og skal rettes, før dashboardet kan starte.\n\n"
                 f"```\n{exc}\n```")
        st.stop()
    # The store's schema must be at the newest migration before anything reads it
    current_revision, head_revision = schema_status(get_engine(settings.database_url))
    if current_revision != head_revision:
        st.error("Databasens skema er ikke opdateret. Kør: python manage.py migrate")
        st.stop()
    # 2. Login
    try:
        auth.cookie_key(settings)  # outside demo mode a missing or weak key stops here
        viewer = auth.login(settings)
    except auth.InsecureCookieKey as exc:
        st.error(str(exc))
        st.stop()
    if viewer is None:
        anonymous_navigation(config, layer_page)
        st.stop()
    st.sidebar.markdown(f"**{viewer.display_name}**  \n{', '.join(viewer.roles)}")
    auth.logout_button()
    # 3. The pages this role may open (the navigation needs only the programme), then the
    # page's filters (in the URL); a page without data (admin) gets none
    version = cache.current_data_version(settings.database_url)
    session.set_data_version(version)
    programme = chosen_programme(config, viewer, settings.database_url, version)
    if programme is None:
        st.info("Ingen programmer kører i dine enheder.")
        st.stop()
    changed = cache.data_changed_at(settings.database_url, version)
    if changed is not None:  # "Data opdateret den 23.11.2026 kl. 14.05", Danish time
        # normal text colour: the caption's grey fails WCAG contrast on the sidebar's background
        st.sidebar.markdown(f"Data opdateret den {format_updated(changed)}")
    page = pages_for(viewer, programme, layer_page)
    if needs_filters(page.url_path):
        filters = sidebar_filters(config, viewer, settings.database_url, version)
        if filters is None:
            st.stop()
        session.set_filters(filters)
        programme = filters.programme
    else:
        keep_filters()
    # The tab names the page and the programme
    st.set_page_config(page_title=f"{page.title} · {programme.title}")
    page.run()


try:
    main()
except (DatabaseUnavailable, OperationalError, InterfaceError):
    st.error(DB_DOWN, icon="⏳")
except DBAPIError as exc:  # any other driver error raised because the connection was lost
    if exc.connection_invalidated:
        st.error(DB_DOWN, icon="⏳")
    else:
        LOG.exception("Databasefejl")
        st.error(UNEXPECTED, icon="⚠️")
except Exception:  # never a stack trace on screen: log it, say it in Danish
    LOG.exception("Uventet fejl")
    st.error(UNEXPECTED, icon="⚠️")
