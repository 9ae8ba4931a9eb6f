"""Storage: SQLAlchemy 2 async behind the core's own `Store` interface; Alembic owns the schema."""
