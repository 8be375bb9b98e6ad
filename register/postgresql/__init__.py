"""Django's PostgreSQL backend, reading timestamps with psycopg's compiled loader (see base.py)."""
