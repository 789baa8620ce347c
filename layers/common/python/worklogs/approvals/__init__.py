"""Timesheet approval: a worker's week or month is submitted, approved, rejected or reopened; while
submitted or approved, the worker's entries in it are frozen."""
