"""Background jobs let go of what they captured on the GUI thread."""

from __future__ import annotations

import threading
import weakref

from ui.tasks import run_in_background, wait_for_idle


class Captured:
    """Stands for a widget a job's closure or callback refers to."""


def test_a_finished_job_releases_its_closure_and_callbacks_on_the_gui_thread(qapp) -> None:
    """A widget wrapper freed on a worker thread is deleted later by shiboken, which crashes when Qt deleted the
    widget in between; so the job's closure and callbacks must be let go when the result is delivered."""
    freed_on: list[str] = []
    job_target, callback_target = Captured(), Captured()
    weakref.finalize(job_target, lambda: freed_on.append(threading.current_thread().name))
    weakref.finalize(callback_target, lambda: freed_on.append(threading.current_thread().name))
    delivered: list[object] = []
    task = (run_in_background(lambda _p, kept=job_target: id(kept))
            .success(lambda result, kept=callback_target: delivered.append((result, kept)))
            .run())
    del job_target, callback_target
    wait_for_idle()
    assert len(delivered) == 1
    delivered.clear()
    assert task.fn is None and freed_on == [threading.main_thread().name] * 2  # while the task itself lives on
