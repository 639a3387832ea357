"""Domain rules in plain Python: no Flask, SQLAlchemy or WTForms here (tests/domain checks this)."""
