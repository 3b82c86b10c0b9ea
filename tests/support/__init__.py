"""Test helpers: the fake Hub server, its fixtures, diagnosis files and shared configs."""
