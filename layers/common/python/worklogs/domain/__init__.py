"""Business rules; pure functions with no I/O."""
