"""Plain-Python domain rules of Pipeline: no Flask, SQLAlchemy or WTForms here."""
