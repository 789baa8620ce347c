"""Bulk import: up to 100 worklog creates in one request, each checked like a single create."""
