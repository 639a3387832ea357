"""The audit log (issue 19): append-only events (models.py), record_event() (services.py), the admin's page
(views.py, /admin/audit)."""
