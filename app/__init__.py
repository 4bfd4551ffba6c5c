"""CĐHT xã: the commune's self-assessment for "Cộng đồng học tập" (Thông tư 25/2023/TT-BGDĐT).

The `app` package is the core: domain rules, storage and services. It never imports Qt or `ui`.
"""

from __future__ import annotations

APP_NAME = "CĐHT xã"
APP_ID = "cdht-xa"
__version__ = "0.1.0"
