"""The only place with SQL: schema, migrations, repositories and the service functions that write."""
