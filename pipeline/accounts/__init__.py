"""Accounts without a terminal (issue 19): the admin's user pages (views.py, /admin/users), the pages reached from a
mail or the login page (public.py, /account/...), two-factor authentication (twofactor.py, twofactor_views.py)."""
