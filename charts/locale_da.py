"""Plotly's Danish locale, passed to every chart through its config (``locales``).

plotly.js-locales' ``da`` (v3.7.0, MIT) has the Danish date format but an empty dictionary, so the
toolbar said "Download plot as a PNG". The format below is that file's; the dictionary is ours,
for the strings a dashboard chart can show. Streamlit does not register locale modules, but
plotly.js takes them per chart in ``config["locales"]``.
"""

from __future__ import annotations

from typing import Any

DICTIONARY = {
    "Autoscale": "Tilpas akser automatisk",
    "Box Select": "Vælg med rektangel",
    "Compare data on hover": "Sammenlign data ved holde musen over",
    "Double-click on legend to isolate one trace":
        "Dobbeltklik på forklaringen for at vise én serie",
    "Double-click to zoom back out": "Dobbeltklik for at zoome ud igen",
    "Download plot as a PNG": "Hent grafen som PNG",
    "Download plot": "Hent grafen",
    "Lasso Select": "Vælg med lasso",
    "Pan": "Panorér",
    "Produced with Plotly.js": "Lavet med Plotly.js",
    "Reset": "Nulstil",
    "Reset axes": "Nulstil akser",
    "Reset view": "Nulstil visning",
    "Reset views": "Nulstil visninger",
    "Show closest data on hover": "Vis nærmeste data ved holde musen over",
    "Toggle show closest data on hover": "Slå visning af nærmeste data til/fra",
    "Toggle Spike Lines": "Slå hjælpelinjer til/fra",
    "Taking snapshot - this may take a few seconds": "Gemmer billede – det kan tage et øjeblik",
    "Snapshot succeeded": "Billedet er gemt",
    "Sorry, there was a problem downloading your snapshot!": "Billedet kunne ikke hentes.",
    "Zoom": "Zoom",
    "Zoom in": "Zoom ind",
    "Zoom out": "Zoom ud",
    "trace": "serie",
    "incoming flow count:": "antal ind:",
    "outgoing flow count:": "antal ud:",
    "source:": "fra:",
    "target:": "til:",
}
FORMAT = {
    "days": ["Søndag", "Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag"],
    "shortDays": ["Søn", "Man", "Tir", "Ons", "Tor", "Fre", "Lør"],
    "months": ["Januar", "Februar", "Marts", "April", "Maj", "Juni", "Juli", "August",
               "September", "Oktober", "November", "December"],
    "shortMonths": ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov",
                    "Dec"],
    "date": "%d.%m.%Y",
    "decimal": ",",
    "thousands": ".",
}
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "locale": "da",
    "locales": {"da": {"dictionary": DICTIONARY, "format": FORMAT}},
    # The toolbar keeps what a reader needs: download, zoom back, reset
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toggleSpikelines",
                               "hoverClosestCartesian", "hoverCompareCartesian"],
    "toImageButtonOptions": {"format": "png", "filename": "graf", "scale": 2},
}
