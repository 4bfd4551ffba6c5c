"""Vietnamese in Qt's own windows: the vi_VN locale (dates, calendar, number grouping) and the translation of
Qt's standard texts (file and print dialogs, context menus, standard buttons, wizard buttons).

Qt ships no Vietnamese translation, so the app carries its own: `resources/i18n/qt_vi.ts`, compiled to
`qt_vi.qm` at setup and at installer build time (`resources/i18n/build.py`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from app.paths import RESOURCES_DIR

TRANSLATION_FILE = RESOURCES_DIR / "i18n" / "qt_vi.qm"
VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


def install_vietnamese(app: QCoreApplication, translation: Path = TRANSLATION_FILE) -> bool:
    """Make vi_VN the default locale and install the Qt translation; False when the .qm is missing."""
    QLocale.setDefault(VIETNAMESE)
    if app.property("cdhtTranslator") is not None:
        return True
    translator = QTranslator(app)
    if not translator.load(str(translation)):
        return False
    app.installTranslator(translator)
    app.setProperty("cdhtTranslator", translator)  # installed once, and kept alive as long as the app
    return True
