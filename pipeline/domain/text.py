"""A marker for labels that the UI translates when it shows them."""


def N_(text: str) -> str:
    """Mark a label for translation (pybabel extracts N_); the template translates it when shown."""
    return text
