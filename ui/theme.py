"""The look of the app: the bundled Noto Sans font, a calm light palette, status colours and icons.

Status is never shown by colour alone: every status has an icon shape (tick, cross, question mark,
exclamation mark) and a word. Icons are drawn with QPainter at the screen's pixel ratio, so they stay
sharp on high-DPI screens without image files.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from app.paths import FONTS_DIR

FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf", "NotoSans-BoldItalic.ttf")
FALLBACK_FAMILY = "Noto Sans"
BASE_POINT_SIZE = 10
FUSION = "Fusion"

#: Status -> (colour, soft background, Vietnamese word, icon shape).
STATUS_STYLE: dict[str, tuple[str, str, str, str]] = {
    "met": ("#1b7f3b", "#e6f4ea", "Đạt", "tick"),
    "not_met": ("#c0392b", "#fdecea", "Không đạt", "cross"),
    "missing": ("#8a6100", "#fff4d6", "Chưa có số liệu", "question"),
    "evidence_ok": ("#1b7f3b", "#e6f4ea", "Có minh chứng", "clip"),
    "evidence_explained": ("#1d5fa8", "#e8f0fb", "Có giải trình", "info"),
    "evidence_missing": ("#b45309", "#fff1e0", "Thiếu minh chứng", "bang"),
    "overdue": ("#c0392b", "#fdecea", "Quá hạn", "bang"),
    "done": ("#1b7f3b", "#e6f4ea", "Đã hoàn thành", "tick"),
    "in_progress": ("#1d5fa8", "#e8f0fb", "Đang thực hiện", "dots"),
    "todo": ("#5f6b7a", "#eef0f3", "Chưa thực hiện", "ring"),
}

ACCENT = "#1d5fa8"
TEXT_MUTED = "#5f6b7a"
BORDER = "#d9dee5"
WINDOW_BG = "#f4f6f9"
LOCKED_BG = "#eceff3"  # fields that cannot be edited now (a finalized year, a computed value)
#: The keyboard focus: a 2 px ring, near black on the light background (16:1), yellow on the dark navigation.
FOCUS = "#0b1f3a"
FOCUS_ON_DARK = "#ffd43b"

STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {WINDOW_BG}; }}
QWidget#page, QWidget#pageBody {{ background: {WINDOW_BG}; }}
QFrame#card {{ background: white; border: 1px solid {BORDER}; border-radius: 8px; }}
QLabel#pageTitle {{ font-size: 15pt; font-weight: bold; color: #1f2933; }}
QLabel#cardTitle {{ font-size: 11pt; font-weight: bold; color: #1f2933; }}
QLabel#muted {{ color: {TEXT_MUTED}; }}
QLabel#headline {{ font-size: 12pt; font-weight: bold; }}
QLabel#bigNumber {{ font-size: 20pt; font-weight: bold; color: #1f2933; }}
QLabel#error {{ color: #c0392b; }}
QLabel#fieldHint {{ color: #b45309; }}
QLabel#stepClosed {{ background: #fff4d6; border: 1px solid #e8c66a; border-radius: 4px; padding: 8px; color: #5c4400; }}
QLabel#fieldNote {{ color: {TEXT_MUTED}; }}
QLabel#fieldNote[warning="true"] {{ color: #b45309; }}
QListWidget#nav {{ background: #1f3b5c; color: #e8eef5; border: none; outline: 0; font-size: 10.5pt; }}
QListWidget#nav::item {{ padding-left: 12px; border-left: 4px solid transparent; }}
QListWidget#nav::item:selected {{ background: #2c5282; color: white; border-left: 4px solid #9cc3ff; }}
QListWidget#nav::item:hover:!selected {{ background: #27476d; }}
QListWidget#nav::item:focus {{ border: 2px solid {FOCUS_ON_DARK}; border-left: 4px solid {FOCUS_ON_DARK}; }}
QFrame#demoBanner {{ background: #fff4d6; border-bottom: 1px solid #e8c66a; }}
QToolBar {{ background: white; border-bottom: 1px solid {BORDER}; spacing: 8px; padding: 4px 8px; }}
QGroupBox {{ background: white; border: 1px solid {BORDER}; border-radius: 8px; margin-top: 14px; padding: 12px 10px 10px 10px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; font-weight: bold; color: #1f2933; }}
QLineEdit, QPlainTextEdit, QComboBox {{ background: white; border: 1px solid #c3cad4; border-radius: 4px; padding: 4px 6px; }}
QAbstractSpinBox {{ background: white; border: 1px solid #c3cad4; border-radius: 4px; padding: 4px 6px; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{ border: 1px solid #c0392b; background: #fff6f5; }}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QAbstractSpinBox:focus {{
    border: 2px solid {FOCUS}; padding: 3px 5px; }}
QLineEdit:read-only, QPlainTextEdit[readOnly="true"], QLineEdit:disabled, QPlainTextEdit:disabled, QComboBox:disabled,
QAbstractSpinBox:disabled {{ background: {LOCKED_BG}; color: {TEXT_MUTED}; border: 1px solid {BORDER}; }}
QLineEdit:read-only:focus, QPlainTextEdit[readOnly="true"]:focus {{ border: 2px solid {FOCUS}; }}
QPushButton {{ padding: 5px 14px; border: 1px solid #b8c1cc; border-radius: 4px; background: #fdfdfe; }}
QPushButton:hover {{ background: #eef3fa; }}
QPushButton:focus {{ border: 2px solid {FOCUS}; padding: 4px 13px; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT}; font-weight: bold; }}
QPushButton#primary:hover {{ background: #174d88; }}
QPushButton#primary:focus {{ border: 2px solid {FOCUS}; background: #174d88; }}
QPushButton#primary:disabled {{ background: #b9c6d6; border: 1px solid #b9c6d6; color: #f4f6f9; }}
QToolButton:focus {{ border: 2px solid {FOCUS}; border-radius: 3px; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; border-radius: 3px; padding: 1px; }}
QCheckBox:focus, QRadioButton:focus {{ border: 2px solid {FOCUS}; }}
QLabel#link {{ border: 2px solid transparent; border-radius: 3px; }}
QLabel#link:focus {{ border: 2px solid {FOCUS}; }}
QTreeWidget, QTableView, QListView {{ background: white; border: 1px solid {BORDER}; border-radius: 4px; padding: 1px; }}
QTreeWidget:focus, QTableView:focus, QListView:focus {{ border: 2px solid {FOCUS}; padding: 0px; }}
QTabBar::tab {{ background: #e6eaf0; color: #1f2933; border: 1px solid {BORDER}; border-bottom: none;
    border-top-left-radius: 4px; border-top-right-radius: 4px; padding: 6px 12px; margin-right: 2px; }}
QTabBar::tab:selected {{ background: white; }}
QTabBar::tab:hover:!selected {{ background: #eef3fa; }}
QTabBar::tab:disabled {{ color: {TEXT_MUTED}; }}
QTabBar::tab:focus {{ border: 2px solid {FOCUS}; border-bottom: none; padding: 5px 11px 6px 11px; }}
QTabWidget::pane {{ border: 1px solid {BORDER}; top: -1px; background: {WINDOW_BG}; }}
QHeaderView::section {{ background: #eef1f5; border: none; border-bottom: 1px solid {BORDER}; padding: 5px 6px; font-weight: bold; }}
QDockWidget::title {{ background: #eef1f5; padding: 6px 8px; font-weight: bold; }}
QScrollArea {{ border: none; }}
QStatusBar {{ background: white; border-top: 1px solid {BORDER}; }}
"""


def load_fonts() -> str:
    """Register the four bundled Noto Sans weights; return the family name to use."""
    family = FALLBACK_FAMILY
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(FONTS_DIR / name))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families:
            family = families[0]
    return family


def apply_theme(app: QApplication) -> None:
    """Font, Fusion style, palette and style sheet for the whole application."""
    family = load_fonts()
    font = QFont(family, BASE_POINT_SIZE)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    app.setFont(font)
    if app.property("cdhtStyle") != FUSION:  # `create_application` asked for it when it made the app
        app.setStyle(FUSION)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(WINDOW_BG))
    palette.setColor(QPalette.ColorRole.Base, QColor("white"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f7f9fb"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#cfe0f5"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#102a43"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#1f2933"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#1f2933"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffef5"))
    palette.setColor(QPalette.ColorRole.ToolTipText, QColor("#1f2933"))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)


def status_color(status: str) -> QColor:
    return QColor(STATUS_STYLE[status][0])


def status_background(status: str) -> QColor:
    return QColor(STATUS_STYLE[status][1])


def status_word(status: str) -> str:
    return STATUS_STYLE[status][2]


def _draw_shape(painter: QPainter, shape: str, rect: QRectF, color: QColor) -> None:
    from PySide6.QtCore import Qt  # not at import: loading the Qt namespace costs the first paint some 12 ms

    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    if shape == "ring":
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(color, rect.width() * 0.12))
        painter.drawEllipse(rect.adjusted(rect.width() * 0.1, rect.width() * 0.1, -rect.width() * 0.1, -rect.width() * 0.1))
        return
    painter.drawEllipse(rect)
    s = rect.width()
    x, y = rect.x(), rect.y()
    pen = QPen(QColor("white"), s * 0.13, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if shape == "tick":
        painter.drawPolyline([QPointF(x + s * 0.27, y + s * 0.52), QPointF(x + s * 0.44, y + s * 0.68),
                              QPointF(x + s * 0.73, y + s * 0.35)])
    elif shape == "cross":
        painter.drawLine(QPointF(x + s * 0.33, y + s * 0.33), QPointF(x + s * 0.67, y + s * 0.67))
        painter.drawLine(QPointF(x + s * 0.67, y + s * 0.33), QPointF(x + s * 0.33, y + s * 0.67))
    elif shape in ("bang", "info"):
        top, bottom = (0.25, 0.56) if shape == "bang" else (0.45, 0.75)
        dot = 0.73 if shape == "bang" else 0.28
        painter.drawLine(QPointF(x + s * 0.5, y + s * top), QPointF(x + s * 0.5, y + s * bottom))
        painter.drawPoint(QPointF(x + s * 0.5, y + s * dot))
    elif shape == "question":
        path_pen = QPen(QColor("white"), s * 0.12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        painter.setPen(path_pen)
        painter.drawArc(QRectF(x + s * 0.34, y + s * 0.2, s * 0.32, s * 0.3), 160 * 16, -250 * 16)
        painter.drawLine(QPointF(x + s * 0.5, y + s * 0.5), QPointF(x + s * 0.5, y + s * 0.58))
        painter.drawPoint(QPointF(x + s * 0.5, y + s * 0.75))
    elif shape == "dots":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("white"))
        for dx in (0.3, 0.5, 0.7):
            painter.drawEllipse(QPointF(x + s * dx, y + s * 0.5), s * 0.065, s * 0.065)
    elif shape == "clip":
        painter.drawPolyline([QPointF(x + s * 0.27, y + s * 0.52), QPointF(x + s * 0.44, y + s * 0.68),
                              QPointF(x + s * 0.73, y + s * 0.35)])


def _device_ratio() -> float:
    app = QGuiApplication.instance()
    screen = app.primaryScreen() if isinstance(app, QGuiApplication) else None
    return max(1.0, screen.devicePixelRatio()) if screen is not None else 1.0


@cache
def _pixmap(status: str, size: int, ratio: float) -> QPixmap:
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    from PySide6.QtCore import Qt

    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _draw_shape(painter, STATUS_STYLE[status][3], QRectF(0.5, 0.5, size - 1, size - 1), status_color(status))
    painter.end()
    return pixmap


def status_pixmap(status: str, size: int = 16) -> QPixmap:
    """The status icon as a pixmap sharp at the screen's pixel ratio."""
    return _pixmap(status, size, _device_ratio())


@cache
def status_icon(status: str) -> QIcon:
    icon = QIcon()
    for size in (16, 20, 24, 32):
        icon.addPixmap(_pixmap(status, size, _device_ratio()))
    return icon


def evidence_status_key(status: str) -> str:
    """Map `EvidenceState.status` ('ok'|'explained'|'missing') to its style key."""
    return f"evidence_{status}"


__all__ = [
    "apply_theme", "load_fonts", "status_color", "status_background", "status_word", "status_pixmap", "status_icon",
    "evidence_status_key", "STATUS_STYLE", "ACCENT", "TEXT_MUTED", "BORDER",
]
