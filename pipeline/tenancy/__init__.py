"""Tenancy (issue 24): the authority tree (province → city → county) and the county every row belongs to.

A county is today's bureau. Every county-owned row carries its `county_id`; the request's scope (the logged-in
user's authority and the counties below it) limits what the ORM reads (scope.py) and, on PostgreSQL, what the
database itself returns (row-level security, migration 0028)."""
