"""Upper bounds on config values: no real model reaches them, so a value above one is a typo or hostile input.

The resolver rejects such values with an error naming the field; other parts of the core (the memory engine's
context bound, for one) share the same limits so that every entry point refuses the same absurd sizes.
"""

from __future__ import annotations

MAX_LAYERS = 100_000
MAX_WIDTH = 10_000_000
MAX_HEADS = 100_000
MAX_VOCAB = 100_000_000
MAX_POSITIONS = 2**34
MAX_THETA = 1e13
