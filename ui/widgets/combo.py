"""Combo box helpers: long item texts stay readable when the box is narrower than its longest item."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox


def full_text_tooltip(combo: QComboBox) -> QComboBox:
    """Keep `combo`'s tooltip equal to the chosen item's full text (the open list always shows items in full)."""
    combo.currentTextChanged.connect(combo.setToolTip)
    combo.setToolTip(combo.currentText())
    return combo
