"""The benchmark's pages step on a tiny store: every page it times is the page it names.

The step (bench/pages.py) opens each page in a session of its own, as ``admin``, through a link
(``?side=…``) and fails when the page does not show its own headings; here its figures are
checked against the page list, and a viewer who may not open every page makes it fail. Figures
are not timed here (``make bench`` prints them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.config import write_config
from bench.national import StepFailed, step
from bench.pages import page_plans
from core.model_config import ChangeModelConfig
from core.settings import CONFIG_PATH


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, ChangeModelConfig]:
    """A store built by the bench's own build step (10 daycares, two years) and its model."""
    folder = tmp_path_factory.mktemp("bench")
    path, config = write_config(CONFIG_PATH, folder)
    url = f"sqlite:///{folder / 'tiny.sqlite'}"
    step("build", url, "--config", str(path), "--scale", "0.25", "--years", "2")
    return url, path, config


def test_every_page_rendered_its_own_headings(
    tiny_store: tuple[str, Path, ChangeModelConfig],
) -> None:
    url, path, config = tiny_store
    figures = step("pages", url, "--config", str(path), "--repeat", "1")
    plans = page_plans(config, institution=("580-001", "Børnehuset Solsikken"))
    assert figures["user"] == "admin"
    assert list(figures["pages"]) == [plan.label for plan in plans]
    assert len(plans) == 14  # overview, 4 layers, 3 × Dagtilbud, meeting, Kommuner, 4 more
    for plan in plans:
        page = figures["pages"][plan.label]
        assert page["query"] == plan.query
        assert page["headings"] == list(plan.headings)
        assert page["warm_ms"] > 0 and page["cold_ms"] > 0, plan.label
        assert page["warm_apptest_ms"] >= page["warm_ms"], plan.label


def test_a_page_the_viewer_cannot_open_fails_the_step(
    tiny_store: tuple[str, Path, ChangeModelConfig],
) -> None:
    url, path, _config = tiny_store
    # A daycare leader sees one municipality: no Kommuner page, its link lands on the overview
    with pytest.raises(StepFailed, match=r"(?s)^trinnet pages fejlede.*Traceback.*"
                                         r"PageNotRendered: page 'kommuner' \(first run"):
        step("pages", url, "--config", str(path), "--repeat", "1", "--user", "leder")
