"""A throwaway PostgreSQL for the team-sync tests: initdb in a temporary folder, a unix socket only (no TCP), fsync
off, stopped and removed at the end. PostgreSQL refuses to run as root, so under root the server runs as the
unprivileged `postgres` system user (Debian's package makes it).

    with running_cluster() as dsn: psycopg.connect(dsn)
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_bin(name: str) -> str:
    """The newest installed PostgreSQL's `name` (initdb, pg_ctl), from PATH or Debian's versioned folders."""
    versioned = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    found = versioned[-1] if versioned else shutil.which(name)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian: apt-get install postgresql)")
    return found


def installed() -> bool:
    try:
        server_bin("initdb")
    except RuntimeError:
        return False
    return True


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def running_cluster() -> Iterator[str]:
    """Start a new cluster; yield its libpq DSN (the superuser is whoever runs the server)."""
    folder = Path(tempfile.mkdtemp(prefix="revdesk-pg-"))  # short: a socket path is limited to 107 bytes
    data, log = folder / "data", folder / "server.log"
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
    try:
        subprocess.run(_as_server_user([server_bin("initdb"), "-D", str(data), "-U", user, "--auth=trust",
                                        "-E", "UTF8", "--locale=C"]), check=True, capture_output=True, text=True)
        options = f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c fsync=off"
        subprocess.run(_as_server_user([server_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w",
                                        "start"]), check=True, capture_output=True, text=True)
        try:
            yield f"host={folder} dbname=postgres user={user}"
        finally:
            subprocess.run(_as_server_user([server_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"the test PostgreSQL did not start: {exc.stderr.strip()}"
                           f"{log.read_text() if log.exists() else ''}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
