"""Where toolkit finds its shipped data and keeps its user data and caches.

``TOOLKIT_HOME`` moves the user folder (models, translation memory);
``TOOLKIT_CACHE`` moves the cache (derived lexicon tables).
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from pathlib import Path

from toolkit.errors import ConfigError


@cache
def config_dir() -> Path:
    """The folder of default settings and word lists (``config/``).

    An installed wheel carries it as ``toolkit/config``; a source checkout has
    it beside the package. Looked up once per process (every document's checks ask).
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "config", package.parent / "config"):
        if (candidate / "default.toml").is_file():
            return candidate
    raise ConfigError(f"default configuration not found beside {package}")


def data_file(name: str) -> Path:
    """Path of a data file: as given when it exists (a user's own list), else in ``config/``.

    Looked up once per name and working folder: every document's checks ask.
    """
    return _data_file(name, os.getcwd())


@lru_cache(maxsize=64)
def _data_file(name: str, folder: str) -> Path:
    own = Path(name).expanduser()
    if own.is_absolute() or (Path(folder) / own).is_file():
        return own
    return config_dir() / name


def user_home() -> Path:
    """The user data folder: ``$TOOLKIT_HOME``, else ``$XDG_DATA_HOME/toolkit`` or ``~/.local/share/toolkit``."""
    if os.environ.get("TOOLKIT_HOME"):
        return Path(os.environ["TOOLKIT_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "toolkit"


def cache_dir() -> Path:
    """The cache folder: ``$TOOLKIT_CACHE``, else ``$XDG_CACHE_HOME/toolkit`` or ``~/.cache/toolkit``."""
    if os.environ.get("TOOLKIT_CACHE"):
        return Path(os.environ["TOOLKIT_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "toolkit"
