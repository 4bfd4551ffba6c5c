"""The bundle build (tests/build/test_bundle.py) runs only when CDHT_BUILD_BUNDLE=1: CI runs it as its own step
after the test suite, because building takes most of a minute and writes a 200 MB folder."""

from __future__ import annotations

import os

collect_ignore = [] if os.environ.get("CDHT_BUILD_BUNDLE") == "1" else ["test_bundle.py"]
