"""Effective-dated hourly rates: rules per workspace, resolved into each worklog when it is written."""
