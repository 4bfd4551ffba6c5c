"""Shared by every test folder."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def qapp(qapp):  # noqa: F811 - pytest-qt's application, given the app's own cycle-collection guard
    """pytest-qt's QApplication, collecting Python's cyclic garbage on the GUI thread as the app does."""
    from ui.gc_guard import collect_on_gui_thread

    collect_on_gui_thread(qapp)
    return qapp
