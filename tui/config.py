"""Where revdesk keeps its files and who you are by default.

Directories come from platformdirs and can be redirected with REVDESK_DATA_DIR and REVDESK_CONFIG_DIR
(the tests always do). An optional config.toml in the config dir may set `user` and `db`, and how sequence
e-mails go out: `mail = "eml"` (a file in the outbox, the default), `"mailto"` (your mail client) or `"smtp"`
with `smtp_host`, `smtp_port` (587), `smtp_user`, `smtp_password_env` (the NAME of an environment variable
holding the password: the password itself never goes in the file) and `smtp_from`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.errors import InvalidInput

APP_NAME = "revdesk"
MAIL_METHODS = ("eml", "mailto", "smtp")
_TEXT_KEYS = ("user", "db", "mail", "smtp_host", "smtp_user", "smtp_password_env", "smtp_from")
KNOWN_KEYS = (*_TEXT_KEYS, "smtp_port")


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


def load_settings() -> Settings:
    path = config_dir() / "config.toml"
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
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
                    smtp_port=port, **text)


def default_db_path(settings: Settings) -> Path:
    return settings.db or data_dir() / "revdesk.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"
