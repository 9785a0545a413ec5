"""The care layer: the clinic's use cases, below every page (staff, portal, API)."""
