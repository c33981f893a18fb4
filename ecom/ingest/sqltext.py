"""Values and names quoted for the SQL the loader writes (DuckDB's rule: a quote inside is doubled)."""


def lit(value) -> str:
    """`value` (as text) as a string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """`name` as a quoted identifier."""
    return '"' + name.replace('"', '""') + '"'
