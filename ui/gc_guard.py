"""Python's cycle collector runs on whichever thread happens to allocate when its threshold is reached. When that
is a worker thread (a database job), the widgets in the garbage are freed there, shiboken defers their C++ delete
to the GUI thread, and that delete crashes the process if Qt deleted the widget in between (a closed window's
`deleteLater`). So automatic collection is switched off and the GUI thread collects on a timer, with the
collector's own thresholds."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

#: How often the GUI thread looks at the collector's counts.
INTERVAL_MS = 250
_PROPERTY = "cdhtCollector"


class _Collector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        """Collect the generations whose counts passed their thresholds, as the automatic collector would."""
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return
        generation = 2 if counts[2] > self.thresholds[2] else 1 if counts[1] > self.thresholds[1] else 0
        gc.collect(generation)


def collect_on_gui_thread(app: QApplication) -> None:
    """Switch automatic collection off; the GUI thread collects from now on (once per application)."""
    if app.property(_PROPERTY):
        return
    gc.disable()
    _Collector(app)
    app.setProperty(_PROPERTY, True)
