"""Where revdesk keeps its files and who you are by default.

Directories come from platformdirs and can be redirected with REVDESK_DATA_DIR and REVDESK_CONFIG_DIR
(the tests always do). An optional config.toml in the config dir may set `user` and `db`, and how sequence
e-mails go out: `mail = "eml"` (a file in the outbox, the default), `"mailto"` (your mail client) or `"smtp"`
with `smtp_host`, `smtp_port` (587), `smtp_user`, `smtp_password_env` (the NAME of an environment variable
holding the password: the password itself never goes in the file) and `smtp_from`.

`revdesk demo` remembers the database it opened as `db` (marked as set by it) when config.toml names none, so
the commands that follow use that database and say so.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from revdesk.core.common.errors import InvalidInput

APP_NAME = "revdesk"
MAIL_METHODS = ("eml", "mailto", "smtp")
_TEXT_KEYS = ("user", "db", "mail", "smtp_host", "smtp_user", "smtp_password_env", "smtp_from")
KNOWN_KEYS = (*_TEXT_KEYS, "smtp_port")
DEMO_MARK = "# set by `revdesk demo`: delete this line to use revdesk.db in the data dir again"
_DB_LINE = re.compile(r"^\s*db\s*=.*$", re.MULTILINE)


@dataclass(frozen=True)
class Settings:
    user: str | None = None
    db: Path | None = None
    mail: str = "eml"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password_env: str | None = None
    smtp_from: str | None = None
    db_from_demo: bool = False  # `db` is the demo database `revdesk demo` remembered, not one the user chose


def data_dir() -> Path:
    override = os.environ.get("REVDESK_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("REVDESK_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


def load_settings() -> Settings:
    path = config_path()
    if not path.exists():
        return Settings()
    try:
        source = path.read_text(encoding="utf-8")
        data = tomllib.loads(source)
    except UnicodeDecodeError as exc:
        raise InvalidInput(str(path), f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise InvalidInput(str(path), f"cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(str(path), f"is not valid TOML ({exc})") from None
    if "smtp_password" in data:
        raise InvalidInput(f"{path}: smtp_password", "never store the password here: put it in an environment"
                                                     " variable and give that variable's name as smtp_password_env")
    unknown = set(data) - set(KNOWN_KEYS)
    if unknown:
        raise InvalidInput(str(path), f"unknown keys {', '.join(sorted(unknown))} (known: {', '.join(KNOWN_KEYS)})")
    for key in _TEXT_KEYS:
        if key in data and not isinstance(data[key], str):
            raise InvalidInput(f"{path}: {key}", "must be a string")
    if data.get("mail", "eml") not in MAIL_METHODS:
        raise InvalidInput(f"{path}: mail", f"{data['mail']!r} is not one of {', '.join(MAIL_METHODS)}")
    port = data.get("smtp_port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise InvalidInput(f"{path}: smtp_port", "must be a port number, like 587")
    text = {k: data[k] for k in _TEXT_KEYS[2:] if k in data}
    return Settings(user=data.get("user"), db=Path(data["db"]).expanduser() if "db" in data else None,
                    smtp_port=port, db_from_demo=_demo_db_line(source) is not None, **text)


def default_db_path(settings: Settings) -> Path:
    return settings.db or data_dir() / "revdesk.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def remember_demo_db(path: Path) -> str | None:
    """Make `path` the database later commands use, in config.toml, unless the user chose one there; None, or
    a sentence saying why the commands that follow will not use it."""
    settings = load_settings()
    path = path.absolute()
    if settings.db is not None and not settings.db_from_demo:
        if settings.db.absolute() == path:
            return None
        return f"config.toml names {settings.db} as your database: give other commands --db {path} for the demo"
    line = f"db = {_toml_string(str(path))}  {DEMO_MARK}"
    try:
        line.encode("utf-8")
        readable = tomllib.loads(line).get("db") == str(path)
    except (UnicodeEncodeError, tomllib.TOMLDecodeError):  # a name that is not text (undecodable bytes)
        readable = False
    if not readable:
        return f"its name cannot be written in config.toml: give other commands --db {path}"
    from revdesk.db.workbench import private_dir, private_file

    config = config_path()
    source = config.read_text(encoding="utf-8") if config.exists() else ""
    demo_line = _demo_db_line(source)
    if demo_line is not None:
        source = source.replace(demo_line, line, 1)
    else:
        source = f"{line}\n{source}"  # first: before any table, should one ever be allowed
    try:
        private_dir(config.parent)
        private_file(config)
        config.write_text(source, encoding="utf-8")
    except OSError as exc:
        return f"could not remember it in {config} ({exc.strerror or exc}): give other commands --db {path}"
    return None


def _demo_db_line(source: str) -> str | None:
    """The `db = ...` line revdesk demo wrote, if that is where `db` comes from."""
    found = _DB_LINE.search(source)
    return found.group(0) if found and found.group(0).endswith(DEMO_MARK) else None


def _toml_string(text: str) -> str:
    """A TOML basic string: backslash, quote and control characters escaped, as TOML 1.0 requires."""
    escaped = "".join(f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else "\\" + c if c in '"\\' else c
                      for c in text)
    return f'"{escaped}"'
