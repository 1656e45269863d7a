"""ddss — data-quality validation of Vietnamese sector data (Project 06).

The same Rust engine as the ``ddss`` command line: every check, score and
report comes from it. See docs/python.md.

    >>> import ddss
    >>> results = ddss.validate("fixtures", rules="rules", as_of="2026-06-30")
    >>> results["datasets"][0]["scores"]["overall"]
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Optional, Union

from . import _ddss
from ._ddss import PackError, Packs, UsageError, __version__

__all__ = [
    "PackError",
    "Packs",
    "UsageError",
    "__version__",
    "check_kinds",
    "load_packs",
    "set_threads",
    "validate",
    "validate_frame",
]

PathLike = Union[str, "os.PathLike[str]"]
Rules = Union[PathLike, Packs]


def load_packs(path: PathLike = "rules") -> Packs:
    """Loads the rule packs under ``path`` (a folder or one ``.toml`` file).

    Raises :class:`PackError` (a ``ValueError``) with the CLI's message —
    file, line and what to do — when a pack is broken.
    """
    return _ddss.load_packs(os.fspath(path))


def _rules(rules: Rules) -> Any:
    return rules if isinstance(rules, Packs) else os.fspath(rules)


def validate(
    inputs: Union[PathLike, Iterable[PathLike]],
    rules: Rules = "rules",
    out: Optional[PathLike] = None,
    as_of: Optional[str] = None,
    *,
    fail_under: Optional[float] = None,
    mask: bool = False,
    lang: str = "vi",
    memory_limit: Optional[int] = None,
    targets: Optional[PathLike] = None,
) -> dict:
    """The CLI's ``validate``: returns the results shaped exactly like results.json.

    ``inputs`` are CSV files or folders. With ``out=None`` nothing is written;
    with ``out`` the reports (results.json, violations, workbook, scorecard,
    history) are written there as the CLI writes them. ``as_of`` is
    ``YYYY-MM-DD`` (default: today). The exit code the CLI would give is
    ``results["exit_code"]``.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    text = _ddss.validate(
        [os.fspath(p) for p in inputs],
        _rules(rules),
        out=None if out is None else os.fspath(out),
        as_of=as_of,
        fail_under=fail_under,
        mask=mask,
        lang=lang,
        memory_limit=memory_limit,
        targets=None if targets is None else os.fspath(targets),
    )
    return json.loads(text)


def validate_frame(
    df: Any,
    rules: Rules = "rules",
    dataset: Optional[str] = None,
    as_of: Optional[str] = None,
    *,
    fail_under: Optional[float] = None,
) -> dict:
    """Validates a table already in memory as dataset ``dataset`` of ``rules``.

    ``df`` is a polars or pandas DataFrame or a pyarrow Table (anything with
    ``__arrow_c_stream__``), with text or typed columns: typed dates are read
    in the format the pack declares. Returns the results (like results.json)
    of a run with that one dataset; rows carry their 1-based ordinal where a
    file would give a line. Nothing is written.
    """
    if dataset is None:
        raise TypeError("validate_frame needs dataset=: the pack's dataset name, e.g. 'khai_sinh'")
    return json.loads(
        _ddss.validate_frame(df, _rules(rules), dataset, as_of=as_of, fail_under=fail_under)
    )


def set_threads(threads: int) -> None:
    """Sets the threads ddss uses (default: one per core, as the CLI).

    Call it before the first validation.
    """
    _ddss.set_threads(threads)


def check_kinds() -> list:
    """Every check kind as ``(code, name, summary)``."""
    return _ddss.check_kinds()
