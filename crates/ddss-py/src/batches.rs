//! The batch-level seam for distributed runners (`ddss.plan_dataset`,
//! `DatasetPlan.evaluate`, `Tally.merge`, `ddss.conclude`): thin wrappers
//! over `ddss::distributed`, which holds every rule of it.

use std::path::PathBuf;
use std::sync::Arc;

use polars::prelude::*;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use ddss::distributed::{self, BatchInput, Concluding, RowNumbers};

use crate::arrow::{ArrowData, frame_of};
use crate::{UsageError, as_of_date, packs_of, run_options};

fn usage(e: impl ToString) -> PyErr {
    UsageError::new_err(e.to_string())
}

/// One dataset of the packs, planned for batch evaluation.
#[pyclass(module = "ddss._ddss", frozen)]
pub struct DatasetPlan {
    inner: distributed::DatasetPlan,
}

/// A mergeable summary of some rows of one dataset.
#[pyclass(module = "ddss._ddss")]
#[derive(Clone)]
pub struct Tally {
    pub inner: distributed::DatasetTally,
}

/// What evaluating one batch gives.
#[pyclass(module = "ddss._ddss", frozen)]
pub struct Evaluated {
    #[pyo3(get)]
    flags: Py<ArrowData>,
    #[pyo3(get)]
    violations: Py<ArrowData>,
    #[pyo3(get)]
    tally: Py<Tally>,
}

/// Plans `dataset` of `rules`; `lookups` maps other datasets' names to
/// their tables (what the look-up rules read).
#[pyfunction]
#[pyo3(signature = (dataset, rules, as_of=None, lookups=None, rule_lookups=None, structure_unchecked=None))]
pub fn plan_dataset(
    py: Python<'_>,
    dataset: String,
    rules: &Bound<'_, PyAny>,
    as_of: Option<&str>,
    lookups: Option<&Bound<'_, PyDict>>,
    rule_lookups: Option<&Bound<'_, PyDict>>,
    structure_unchecked: Option<String>,
) -> PyResult<DatasetPlan> {
    let packs = packs_of(py, rules)?;
    let as_of = as_of_date(as_of)?;
    let tables = |given: Option<&Bound<'_, PyDict>>| -> PyResult<Vec<(String, DataFrame)>> {
        let mut out = Vec::new();
        for (name, table) in given.into_iter().flat_map(|d| d.iter()) {
            out.push((name.extract::<String>()?, frame_of(&table)?));
        }
        Ok(out)
    };
    let (whole, per_rule) = (tables(lookups)?, tables(rule_lookups)?);
    let inner = py
        .detach(|| {
            let mut plan = distributed::DatasetPlan::new(packs, &dataset, as_of)?;
            if let Some(reason) = structure_unchecked {
                plan = plan.with_structure_unchecked(reason);
            }
            if per_rule.is_empty() {
                plan.with_lookups(whole)
            } else if whole.is_empty() {
                plan.with_rule_lookups(per_rule)
            } else {
                Err(ddss::error::UsageError::Batch(
                    "give lookups (whole datasets) or rule_lookups (rows per rule), not both"
                        .into(),
                ))
            }
        })
        .map_err(usage)?;
    Ok(DatasetPlan { inner })
}

fn row_numbers(rows: Option<Vec<u64>>, first_row: u64) -> RowNumbers {
    match rows {
        Some(rows) => RowNumbers::Given(rows),
        None => RowNumbers::From(first_row),
    }
}

#[pymethods]
impl DatasetPlan {
    /// The plan as JSON: columns, key, unit column, `unique` rules, look-ups.
    fn info_json(&self) -> String {
        serde_json::to_string(&self.inner.info()).expect("plan info serialises")
    }

    /// Each `unique` rule's compared key per row (binary; null = not
    /// compared), one column per rule id; `None` without unique rules.
    #[pyo3(signature = (batch))]
    fn unique_keys(&self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> PyResult<Option<ArrowData>> {
        let frame = frame_of(batch)?;
        let plan = &self.inner;
        let keys = py.detach(|| -> Result<Option<DataFrame>, String> {
            let table = plan
                .table(&frame, RowNumbers::From(1))
                .map_err(|e| e.to_string())?;
            let mut columns = Vec::new();
            for (rule, keys) in plan.unique_keys(&table) {
                let keys = keys.map_err(|e| format!("rule '{rule}': {e}"))?;
                columns.push(keys.with_name(rule.as_str().into()).into_column());
            }
            if columns.is_empty() {
                return Ok(None);
            }
            DataFrame::new(table.frame.height(), columns)
                .map(Some)
                .map_err(|e| e.to_string())
        });
        keys.map(|k| k.map(ArrowData::new)).map_err(usage)
    }

    /// Evaluates one batch. `duplicated`: a table with one boolean column
    /// per `unique` rule id (true = the row's key occurs more than once in
    /// the dataset). `rows`: each row's number; else `first_row`, … .
    /// `defects`: each row's structural defect bits, as `read_csv` gave them.
    #[pyo3(signature = (batch, duplicated=None, rows=None, first_row=1, whole_dataset=false, mask=false, defects=None))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &self,
        py: Python<'_>,
        batch: &Bound<'_, PyAny>,
        duplicated: Option<&Bound<'_, PyAny>>,
        rows: Option<Vec<u64>>,
        first_row: u64,
        whole_dataset: bool,
        mask: bool,
        defects: Option<Vec<u8>>,
    ) -> PyResult<Evaluated> {
        let frame = frame_of(batch)?;
        let mut verdicts = Vec::new();
        if let Some(duplicated) = duplicated {
            let table = frame_of(duplicated)?;
            for column in table.columns() {
                let flags = column.bool().map_err(|_| {
                    usage(format!(
                        "duplicated['{}'] must be booleans (true = the key occurs more than once)",
                        column.name()
                    ))
                })?;
                verdicts.push((column.name().to_string(), flags.clone()));
            }
        }
        let plan = &self.inner;
        let evaluated = py
            .detach(|| {
                plan.evaluate(BatchInput {
                    frame: &frame,
                    rows: row_numbers(rows, first_row),
                    duplicated: verdicts,
                    whole_dataset,
                    mask,
                    defects,
                })
            })
            .map_err(usage)?;
        Ok(Evaluated {
            flags: Py::new(py, ArrowData::new(evaluated.flags))?,
            violations: Py::new(py, ArrowData::new(evaluated.violations))?,
            tally: Py::new(
                py,
                Tally {
                    inner: evaluated.tally,
                },
            )?,
        })
    }

    /// A tally of no rows, to merge batches' tallies into.
    fn empty_tally(&self) -> Tally {
        Tally {
            inner: self.inner.empty_tally(),
        }
    }

    /// Reads a CSV export's bytes as the CLI reads the file (`name` names
    /// it in problems): pieces of rows with their physical lines and
    /// structural defects.
    #[pyo3(signature = (data, name, piece_bytes=distributed::PIECE_BYTES))]
    fn read_csv(
        &self,
        py: Python<'_>,
        data: Vec<u8>,
        name: &str,
        piece_bytes: usize,
    ) -> PyResult<CsvReader> {
        let bytes = data.len() as u64;
        let plan = &self.inner;
        let pieces = py
            .detach(|| {
                plan.read_csv(
                    name,
                    Box::new(std::io::Cursor::new(data)),
                    bytes,
                    piece_bytes,
                )
            })
            .map_err(read_error)?;
        Ok(CsvReader {
            pieces: std::sync::Mutex::new(pieces),
        })
    }
}

fn read_error(e: ddss::error::ReadError) -> PyErr {
    crate::ReadError::new_err(e.to_string())
}

/// A CSV export being read piece by piece (an iterator of pieces).
#[pyclass(module = "ddss._ddss", frozen)]
pub struct CsvReader {
    pieces: std::sync::Mutex<distributed::CsvPieces>,
}

/// One piece: `rows` (the header's text columns, `__ddss_row_defects`,
/// `__ddss_row` the physical line), the problems the reader found in it.
#[pyclass(module = "ddss._ddss", frozen)]
pub struct CsvPiece {
    #[pyo3(get)]
    rows: Py<ArrowData>,
    #[pyo3(get)]
    problems_json: String,
    #[pyo3(get)]
    problem_count: u64,
}

#[pymethods]
impl CsvReader {
    #[getter]
    fn header(&self) -> Vec<String> {
        self.lock().header().to_vec()
    }

    #[getter]
    fn encoding(&self) -> String {
        self.lock().encoding().to_string()
    }

    #[getter]
    fn delimiter(&self) -> String {
        char::from(self.lock().delimiter()).to_string()
    }

    /// The header line's problems as JSON, and how many there were.
    fn header_problems(&self) -> (String, u64) {
        let pieces = self.lock();
        let (kept, count) = pieces.header_problems();
        (
            serde_json::to_string(kept).expect("problems serialise"),
            count,
        )
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<CsvPiece>> {
        let piece = py.detach(|| self.lock().next_piece()).map_err(read_error)?;
        let Some(table) = piece else {
            return Ok(None);
        };
        let mut frame = table.frame;
        let lines = UInt64Chunked::from_vec(distributed::ROW_COLUMN.into(), table.lines);
        frame
            .with_column(lines.into_column())
            .map_err(|e| usage(e.to_string()))?;
        Ok(Some(CsvPiece {
            rows: Py::new(py, ArrowData::new(frame))?,
            problems_json: serde_json::to_string(&table.problems).expect("problems serialise"),
            problem_count: table.problem_count,
        }))
    }
}

impl CsvReader {
    fn lock(&self) -> std::sync::MutexGuard<'_, distributed::CsvPieces> {
        self.pieces.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl Tally {
    /// Adds `other`'s rows (another batch of the same dataset).
    fn merge(&mut self, other: &Tally) -> PyResult<()> {
        self.inner.merge(other.inner.clone()).map_err(usage)
    }

    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Tally> {
        distributed::DatasetTally::from_json(text)
            .map(|inner| Tally { inner })
            .map_err(usage)
    }

    #[getter]
    fn dataset(&self) -> String {
        self.inner.dataset.clone()
    }

    /// Adds problems the reader found outside any batch (`problems_json`
    /// as `read_csv` gives it; `count` all of them, kept or not).
    fn add_problems(&mut self, problems_json: &str, count: u64) -> PyResult<()> {
        let kept: Vec<ddss::input::Problem> = serde_json::from_str(problems_json)
            .map_err(|e| usage(format!("not ddss problems: {e}")))?;
        self.inner.add_problems(&kept, count);
        Ok(())
    }

    #[getter]
    fn rows(&self) -> u64 {
        self.inner.summary.tally.rows
    }

    #[getter]
    fn batches(&self) -> u64 {
        self.inner.summary.batches
    }

    /// Pickled as its JSON text (Spark ships tallies between processes).
    fn __reduce__(slf: &Bound<'_, Self>) -> PyResult<(Py<PyAny>, (String,))> {
        let py = slf.py();
        let from_json = py.get_type::<Tally>().getattr("from_json")?;
        Ok((from_json.unbind(), (slf.borrow().inner.to_json(),)))
    }

    fn __repr__(&self) -> String {
        format!(
            "<ddss.Tally {} rows of '{}' in {} batches>",
            self.inner.summary.tally.rows, self.inner.dataset, self.inner.summary.batches
        )
    }
}

/// Concludes datasets from their merged tallies: the results as JSON text
/// (results.json). `datasets`: `(name, source, tally, violations)` tuples,
/// `violations` a table of the batches' failing rows or `None`. With `out`,
/// the reports are written there as the CLI writes them.
#[pyfunction]
#[pyo3(signature = (datasets, rules, out=None, as_of=None, fail_under=None, mask=false, lang="vi", targets=None, row_numbers=None, unmatched=vec![]))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn conclude(
    py: Python<'_>,
    datasets: Vec<(String, String, Tally, Option<Bound<'_, PyAny>>)>,
    rules: &Bound<'_, PyAny>,
    out: Option<PathBuf>,
    as_of: Option<&str>,
    fail_under: Option<f64>,
    mask: bool,
    lang: &str,
    targets: Option<PathBuf>,
    row_numbers: Option<std::collections::HashMap<String, String>>,
    unmatched: Vec<(String, String)>,
) -> PyResult<String> {
    let packs = packs_of(py, rules)?;
    let write = out.is_some();
    let options = run_options(as_of, out, fail_under, mask, lang, None, targets)?;
    let mut concluding = Vec::with_capacity(datasets.len());
    for (name, source, tally, violations) in datasets {
        let violations = violations.map(|v| frame_of(&v)).transpose()?;
        let numbered = row_numbers.as_ref().and_then(|r| r.get(&name)).cloned();
        concluding.push(Concluding {
            name,
            source,
            bytes: 0,
            tally: tally.inner,
            violations,
            row_numbers: numbered,
        });
    }
    let packs: Arc<_> = packs;
    let results = py
        .detach(|| {
            let unmatched = unmatched
                .into_iter()
                .map(|(path, problem)| ddss::results::UnmatchedInput { path, problem })
                .collect();
            distributed::conclude(&packs, concluding, unmatched, &options, write)
        })
        .map_err(usage)?;
    crate::to_json(&results)
}
