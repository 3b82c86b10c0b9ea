"""The ``taf`` command line: parse input, call one library function, render (no formulas here)."""
