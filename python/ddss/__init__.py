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
from ._ddss import PackError, Packs, ReadError, Tally, UsageError, __version__

__all__ = [
    "BatchResult",
    "DatasetPlan",
    "PackError",
    "Packs",
    "ReadError",
    "Tally",
    "UsageError",
    "__version__",
    "check_kinds",
    "conclude",
    "load_packs",
    "merge_tallies",
    "plan_dataset",
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


# --- The batch-level seam: what a distributed runner (Spark) builds on. ---


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the batch API of ddss returns pyarrow tables: pip install pyarrow"
        ) from e
    return pyarrow


def _stream(table: Any) -> Any:
    """Something with ``__arrow_c_stream__`` (a RecordBatch becomes a Table)."""
    pa = _pyarrow()
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    return table


class BatchResult:
    """What evaluating one batch gives.

    ``flags``: a pyarrow Table, one boolean column per row-level rule id
    (true = the row fails, null = the rule does not apply), in batch order.
    ``violations``: a pyarrow Table of the failing (row, rule) pairs, with
    the columns of ``violations/<dataset>.csv``. ``tally``: the batch's
    :class:`Tally`, to merge.
    """

    __slots__ = ("flags", "violations", "tally")

    def __init__(self, flags: Any, violations: Any, tally: Tally) -> None:
        self.flags = flags
        self.violations = violations
        self.tally = tally

    def __repr__(self) -> str:
        return (
            f"<ddss.BatchResult {self.flags.num_rows} rows, "
            f"{self.violations.num_rows} violations>"
        )


class CsvReader:
    """A CSV export read piece by piece by ddss's own reader.

    ``header``, ``encoding`` and ``delimiter`` are what the reader found;
    ``header_problems`` the header line's problems (JSON text) and their
    count. Each piece is ``(rows, problems_json, problem_count)``: ``rows`` a
    pyarrow Table of the header's text columns, ``__ddss_row_defects`` (each
    row's structural defect bits, for ``evaluate(defects=…)``) and
    ``__ddss_row`` (its physical line); the problems go to
    :meth:`Tally.add_problems`.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.header: list = inner.header
        self.encoding: str = inner.encoding
        self.delimiter: str = inner.delimiter
        self.header_problems: tuple = inner.header_problems()

    def __iter__(self):
        pa = _pyarrow()
        for piece in self._inner:
            yield pa.table(piece.rows), piece.problems_json, piece.problem_count


class DatasetPlan:
    """One dataset of the packs, ready to evaluate batches of its rows.

    Made by :func:`plan_dataset`. ``info`` says what a runner must supply:
    ``columns``, ``key``, ``unit_column``, the ``unique`` rules (each with
    its compared ``columns``) and the ``lookups`` (other datasets' columns
    the look-up rules read).
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.info: dict = json.loads(inner.info_json())

    @property
    def dataset(self) -> str:
        return self.info["dataset"]

    def unique_keys(self, batch: Any) -> dict:
        """Per ``unique`` rule id, each row's compared key (a pyarrow binary
        array; null = the row is not compared). Rows with equal keys, over
        the whole dataset, are duplicates."""
        pa = _pyarrow()
        keys = self._inner.unique_keys(_stream(batch))
        if keys is None:
            return {}
        table = pa.table(keys)
        return {name: table.column(name).combine_chunks() for name in table.column_names}

    def evaluate(
        self,
        batch: Any,
        duplicated: Optional[dict] = None,
        rows: Optional[Any] = None,
        first_row: int = 1,
        whole_dataset: bool = False,
        mask: bool = False,
        defects: Optional[Any] = None,
    ) -> BatchResult:
        """Evaluates one batch (a pyarrow RecordBatch or Table, a polars or
        pandas DataFrame).

        ``duplicated`` maps each ``unique`` rule id to the rows' verdicts
        (true = the key occurs more than once in the dataset). Without them
        a unique rule is an error naming it, unless ``whole_dataset=True``
        (the batch is all the rows). ``rows`` numbers the rows (default
        ``first_row``, ``first_row + 1``, …): the numbers the violations and
        examples carry. ``defects``: each row's structural defect bits, the
        ``__ddss_row_defects`` column of :meth:`read_csv`'s pieces (without
        them the rows have none).
        """
        pa = _pyarrow()
        verdicts = None
        if duplicated:
            verdicts = pa.table(
                {
                    rule: v.cast(pa.bool_())
                    if isinstance(v, (pa.Array, pa.ChunkedArray))
                    else pa.array(v, type=pa.bool_())
                    for rule, v in duplicated.items()
                }
            )
        if rows is not None and not isinstance(rows, list):
            rows = rows.to_pylist() if hasattr(rows, "to_pylist") else list(rows)
        if defects is not None and not isinstance(defects, list):
            defects = defects.to_pylist() if hasattr(defects, "to_pylist") else list(defects)
        result = self._inner.evaluate(
            _stream(batch),
            duplicated=verdicts,
            rows=rows,
            first_row=first_row,
            whole_dataset=whole_dataset,
            mask=mask,
            defects=defects,
        )
        return BatchResult(pa.table(result.flags), pa.table(result.violations), result.tally)

    def empty_tally(self) -> Tally:
        """A tally of no rows, to merge batches' tallies into."""
        return self._inner.empty_tally()

    def read_csv(self, data: bytes, name: str, piece_bytes: int = 16 << 20) -> "CsvReader":
        """Reads a CSV export's bytes exactly as ``ddss validate`` reads the
        file (the pack's delimiter, encoding and missing values; ``name``
        names it in problems). Iterate it for pieces; raises
        :class:`ReadError` naming the file when it cannot be read at all."""
        return CsvReader(self._inner.read_csv(data, name, piece_bytes))

    def __repr__(self) -> str:
        return f"<ddss.DatasetPlan {self.dataset}>"


def plan_dataset(
    dataset: str,
    rules: Rules = "rules",
    as_of: Optional[str] = None,
    lookups: Optional[dict] = None,
    rule_lookups: Optional[dict] = None,
    structure_unchecked: Optional[str] = None,
) -> DatasetPlan:
    """Plans ``dataset`` of ``rules`` for evaluation batch by batch.

    ``lookups`` maps other datasets (``plan.info["lookups"]``) to their
    tables — all their rows, or those whose keys occur in the batches. A
    dataset not given leaves its look-up rules skipped, as the CLI does.

    ``rule_lookups`` (instead of ``lookups``) maps rule ids to the other
    dataset's rows that rule reads — what an equi-join of the rule's
    ``column`` with the other dataset's key gives (for a join rule, the
    first row per key in that dataset's order). The Spark runner uses it.

    ``structure_unchecked``: the batches' rows were not read by ddss's CSV
    reader (e.g. by Spark's), so their physical defects are unknown; every
    structural (``PH…``) rule is then an error naming it and this reason.
    """
    return DatasetPlan(
        _ddss.plan_dataset(
            dataset,
            _rules(rules),
            as_of=as_of,
            lookups={k: _stream(v) for k, v in (lookups or {}).items()},
            rule_lookups={k: _stream(v) for k, v in (rule_lookups or {}).items()},
            structure_unchecked=structure_unchecked,
        )
    )


def merge_tallies(tallies: Iterable[Tally]) -> Tally:
    """The merge of ``tallies`` (batches of one dataset, in any order)."""
    merged: Optional[Tally] = None
    for tally in tallies:
        if merged is None:
            merged = Tally.from_json(tally.to_json())
        else:
            merged.merge(tally)
    if merged is None:
        raise ValueError("merge_tallies needs at least one tally")
    return merged


def conclude(
    tallies: dict,
    rules: Rules = "rules",
    out: Optional[PathLike] = None,
    as_of: Optional[str] = None,
    *,
    violations: Optional[dict] = None,
    sources: Optional[dict] = None,
    fail_under: Optional[float] = None,
    mask: bool = False,
    lang: str = "vi",
    targets: Optional[PathLike] = None,
    row_numbers: Union[None, str, dict] = None,
    unmatched: Optional[list] = None,
) -> dict:
    """Turns merged tallies into the results (like results.json).

    ``tallies`` maps each dataset's report name to its merged :class:`Tally`.
    ``violations`` maps names to the batches' violations tables
    (concatenated, in any order). With ``out``, the reports are written
    there exactly as the CLI writes them (results.json last); a dataset
    without a violations table then has no violations file, and its
    violations are only counted. ``unmatched`` ([{"path", "problem"}]) lists
    inputs no pack claimed, as results.json does. ``row_numbers="ordinal"`` records in the
    results that rows are numbered by ordinal, not by physical line; a dict
    says it per dataset name (a name not in it: physical lines).
    """
    if isinstance(row_numbers, str):
        row_numbers = {name: row_numbers for name in tallies}
    violations = violations or {}
    sources = sources or {}
    datasets = [
        (name, str(sources.get(name, name)), tally, _stream(violations[name]) if name in violations else None)
        for name, tally in tallies.items()
    ]
    text = _ddss.conclude(
        datasets,
        _rules(rules),
        out=None if out is None else os.fspath(out),
        as_of=as_of,
        fail_under=fail_under,
        mask=mask,
        lang=lang,
        targets=None if targets is None else os.fspath(targets),
        row_numbers=row_numbers,
        unmatched=[(u["path"], u["problem"]) for u in (unmatched or [])],
    )
    return json.loads(text)
