"""The measurement protocol's fixed numbers (spec §5.2, §5.5): distances, prompt counts, seeds, the key-at-49
layout, and the names of the protocols and corpora.

How A(d) is read from the attention probabilities p[q, k] of a causal model (the two estimators):

* ``reference`` (spec §5.5): for distance d the sequence has d + 50 tokens, the query is the last
  position q = d + 49 and the key sits at k = 49. Query position and row length grow with d, so even
  uniform attention (p = 1/(q + 1)) decays: A_uniform(d) = 1/(d + 50), a γ of about 0.69 on the reference
  distances. ``core.decay.null.uniform_null`` computes that null exactly for the distances measured, so a
  measured γ is always shown against it.
* ``curve`` (fast protocol only): the whole row of fixed query positions q ∈ Q, A(d) = mean_q p[q, q − d]
  for keys at positions ≥ 49 (the reference's 50-token prefix keeps the first-token attention sink out).
  The query position is held fixed while d varies, so uniform attention gives a flat curve (γ = 0 for
  one row); it measures the distance profile of the same rows rather than a mix of distance and
  position.
"""

from __future__ import annotations

__all__ = [
    "CORPORA",
    "DISTANCES_FAST",
    "DISTANCES_FULL",
    "N_PROMPTS_FAST",
    "N_PROMPTS_FULL",
    "PROTOCOLS",
    "REFERENCE_KEY_POSITION",
    "REFERENCE_PREFIX",
    "REFERENCE_SEEDS",
]

DISTANCES_FULL: tuple[int, ...] = (10, 20, 30, 50, 100, 200, 500, 1000, 2000)
DISTANCES_FAST: tuple[int, ...] = (10, 50, 200, 1000)
N_PROMPTS_FAST = 30
N_PROMPTS_FULL = 80
REFERENCE_SEEDS: tuple[int, ...] = (42, 123, 7)  # v0.5.3 declares three and uses only 42; we use all
REFERENCE_PREFIX = 50  # sequence length d + 50
REFERENCE_KEY_POSITION = REFERENCE_PREFIX - 1  # the key always sits at position 49
PROTOCOLS: tuple[str, ...] = ("fast", "reference")
CORPORA: tuple[str, ...] = ("random", "text")
