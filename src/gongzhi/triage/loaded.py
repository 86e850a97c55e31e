"""The classifier in use, loaded once per process and swapped when a newer version is trained."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from django.conf import settings

from .classifier import Classifier
from .models import ClassifierModel

log = logging.getLogger(__name__)


def _recheck_seconds() -> float:
    """How often a process asks the database whether a newer model exists (a minute; the browser tests, none)."""
    return float(settings.GONGZHI["TRIAGE"]["RECHECK_SECONDS"])

_lock = threading.Lock()
_state: dict = {"checked": 0.0, "version": None, "model": None}


def model_path(name: str) -> Path:
    return Path(settings.GONGZHI["TRIAGE"]["MODEL_DIR"]) / name


def current() -> tuple[int | None, Classifier | None]:
    """(version, classifier) of the newest trained model; (None, None) when there is none (or its file is gone:
    triage then works without suggestions and says so)."""
    now = time.monotonic()
    if now - _state["checked"] < _recheck_seconds():
        return _state["version"], _state["model"]
    with _lock:
        if now - _state["checked"] < _recheck_seconds():
            return _state["version"], _state["model"]
        row = ClassifierModel.objects.order_by("-version").only("version", "file").first()
        if row is None:
            _state.update(version=None, model=None)
        elif row.version != _state["version"]:
            try:
                _state.update(version=row.version, model=Classifier.load(model_path(row.file)))
            except (OSError, ValueError, EOFError) as e:
                log.error("triage model v%s cannot be loaded from %s: %s", row.version, row.file, e)
                _state.update(version=None, model=None)
        _state["checked"] = now
        return _state["version"], _state["model"]


def forget() -> None:
    """Look again at the next call (after training; in tests)."""
    with _lock:
        _state.update(checked=0.0, version=None, model=None)
