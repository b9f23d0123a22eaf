"""Where revdesk keeps its files and who you are by default.

Directories come from platformdirs and can be redirected with REVDESK_DATA_DIR and REVDESK_CONFIG_DIR
(the tests always do). An optional config.toml in the config dir may set `user` and `db`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.errors import InvalidInput

APP_NAME = "revdesk"


@dataclass(frozen=True)
class Settings:
    user: str | None = None
    db: Path | None = None


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
    unknown = set(data) - {"user", "db"}
    if unknown:
        raise InvalidInput(str(path), f"unknown keys {', '.join(sorted(unknown))} (known: user, db)")
    for key in ("user", "db"):
        if key in data and not isinstance(data[key], str):
            raise InvalidInput(f"{path}: {key}", "must be a string")
    return Settings(user=data.get("user"), db=Path(data["db"]).expanduser() if "db" in data else None)


def default_db_path(settings: Settings) -> Path:
    return settings.db or data_dir() / "revdesk.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"
