"""decay."""
