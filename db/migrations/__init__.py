"""The schema as numbered migrations, applied in order when a database is opened."""
