"""Cyclic garbage (widgets among it) is collected on the GUI thread only, never on a database worker thread."""

from __future__ import annotations

import gc
import threading
import weakref

from ui.main import create_application
from ui.tasks import run_in_background, wait_for_idle


class Cyclic:
    """A reference cycle, as widgets with their connected callbacks form."""

    def __init__(self) -> None:
        self.me = self


def test_cyclic_garbage_is_collected_on_the_gui_thread_while_a_worker_allocates(qtbot) -> None:
    create_application()
    assert not gc.isenabled()
    freed_on: list[str] = []
    for _ in range(20):
        weakref.finalize(Cyclic(), lambda: freed_on.append(threading.current_thread().name))

    def allocate(_progress: object) -> list[list[int]]:  # kept objects far past the collector's threshold
        return [[index] for index in range(20 * gc.get_threshold()[0])]

    kept: list[object] = []
    run_in_background(allocate).success(kept.append).run()
    wait_for_idle()
    qtbot.waitUntil(lambda: len(freed_on) == 20, timeout=5000)
    assert set(freed_on) == {threading.main_thread().name}
    assert len(kept) == 1
