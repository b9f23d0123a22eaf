"""The real PostgreSQL the team-sync tests run against: version 15 or later, reachable only through its unix
socket, its server not running as root, and gone once the tests end."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from tests.postgres_cluster import installed, running_cluster

# CI installs PostgreSQL and must run these; elsewhere they need Debian's postgresql package
pytestmark = pytest.mark.skipif(not installed() and not os.environ.get("CI"),
                                reason="PostgreSQL is not installed (apt-get install postgresql)")


def test_a_throwaway_cluster_listens_on_a_unix_socket_only_and_is_removed_after():
    with running_cluster() as dsn:
        folder = Path(dict(part.split("=", 1) for part in dsn.split())["host"])
        with psycopg.connect(dsn) as conn:
            version = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()[0]
            listening = conn.execute("SELECT current_setting('listen_addresses')").fetchone()[0]
            conn.execute("CREATE TABLE probe (id bigint PRIMARY KEY)")
            conn.execute("INSERT INTO probe VALUES (1)")
            assert conn.execute("SELECT count(*) FROM probe").fetchone()[0] == 1
        assert version >= 150000
        assert listening == ""
        assert (folder / ".s.PGSQL.5432").is_socket()
        owner = (folder / "data" / "PG_VERSION").stat().st_uid
        assert owner != 0 or os.geteuid() != 0, "the server's files belong to an unprivileged user"
    assert not folder.exists()
