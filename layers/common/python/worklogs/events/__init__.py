"""Change events: one event per committed change, built from the main table's stream records."""
