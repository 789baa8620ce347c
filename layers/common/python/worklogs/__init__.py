"""Worklogs: record who spent how much time on what, and roll it up for billing."""
