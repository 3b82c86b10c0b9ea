"""Attention decay A(d) ∝ d^−γ: the power-law fit, its uniform-attention null, KL grammar and the Diagnosis."""
