"""Storage: the SQLite file, its schema migrations and the evidence file store."""
