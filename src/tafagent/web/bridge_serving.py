"""The browser app's serving modes (Fit & plan, Extend): request → the same core calls as ``taf memory``,
``taf plan`` and ``taf extend``, answered as JSON-ready dicts.

Each function takes the page's parsed request and returns the response body; :mod:`tafagent.web.bridge` wraps
them (one-line errors, strict JSON) and registers them under the names in :data:`SERVING_FUNCTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# name the page calls → function(request) -> response (filled in by the Fit & plan and Extend modes)
SERVING_FUNCTIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
