//! `ddss._ddss`: the Python extension module. Thin by design — every check,
//! score and report is the `ddss` library's; this file only converts
//! Python arguments, releases the GIL while Rust works and turns errors into
//! Python exceptions. The public Python API (`python/ddss/__init__.py`)
//! wraps it.

mod arrow;
mod batches;

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

use ddss::job::RunOptions;
use ddss::pack::PackSet;
use ddss::report::Lang;

create_exception!(
    _ddss,
    PackError,
    PyValueError,
    "A rule pack is broken: the message names the file, the line and what to do."
);
create_exception!(
    _ddss,
    UsageError,
    PyValueError,
    "A call ddss cannot carry out as asked (an input that does not exist, a dataset no pack names, a bad date)."
);

create_exception!(
    _ddss,
    ReadError,
    PyValueError,
    "An input cannot be read: the message names the file, the line and what to do."
);

/// Loaded rule packs, reusable across calls.
#[pyclass(module = "ddss._ddss", frozen)]
struct Packs {
    inner: Arc<PackSet>,
}

#[pymethods]
impl Packs {
    /// `sha256:` over the packs and the reference files they use.
    #[getter]
    fn hash(&self) -> String {
        self.inner.hash.clone()
    }

    /// The dataset names, one per pack.
    #[getter]
    fn datasets(&self) -> Vec<String> {
        self.inner
            .packs
            .iter()
            .map(|p| p.dataset.name.clone())
            .collect()
    }

    /// Every pack as JSON: dataset, columns, rules (id, kind, code,
    /// dimension, severity, message).
    fn describe_json(&self) -> String {
        describe(&self.inner).to_string()
    }

    /// The CLI's matching of `inputs` (files and folders) to packs, as JSON:
    /// `datasets` [{name, path, dataset}] and `unmatched` [{path, problem}].
    fn plan_inputs_json(&self, py: Python<'_>, inputs: Vec<PathBuf>) -> PyResult<String> {
        let packs = self.inner.clone();
        let plan = py
            .detach(|| ddss::engine::plan_run(&packs, &inputs, u64::MAX))
            .map_err(|e| UsageError::new_err(e.to_string()))?;
        let datasets: Vec<serde_json::Value> = plan
            .datasets
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.name,
                    "path": d.path.display().to_string(),
                    "dataset": d.pack.dataset.name,
                })
            })
            .collect();
        let unmatched: Vec<serde_json::Value> = plan
            .unmatched
            .iter()
            .map(|m| {
                let path = match m {
                    ddss::pack::MatchIssue::NoPack { path }
                    | ddss::pack::MatchIssue::SeveralPacks { path, .. } => path,
                };
                serde_json::json!({"path": path.display().to_string(), "problem": m.to_string()})
            })
            .collect();
        Ok(serde_json::json!({"datasets": datasets, "unmatched": unmatched}).to_string())
    }

    fn __repr__(&self) -> String {
        format!(
            "<ddss.Packs {} datasets, {}>",
            self.inner.packs.len(),
            self.inner.hash
        )
    }
}

fn describe(packs: &PackSet) -> serde_json::Value {
    let datasets: Vec<serde_json::Value> = packs
        .packs
        .iter()
        .map(|p| {
            let d = &p.dataset;
            serde_json::json!({
                "name": d.name,
                "sector": d.sector,
                "title": d.title,
                "files": d.files,
                "key": d.key,
                "unit_column": d.unit_column,
                "delimiter": d.delimiter.map(|b| char::from(b).to_string()),
                "encoding": d.encoding,
                "pack": p.path.display().to_string(),
                "columns": p.columns.iter().map(|(name, t)| (name.clone(), serde_json::json!(t.name()))).collect::<serde_json::Map<_, _>>(),
                "rules": p.rules.iter().map(|r| serde_json::json!({
                    "id": r.id,
                    "check": r.check.kind(),
                    "code": r.check.code(),
                    "dimension": r.dimension,
                    "severity": r.severity,
                    "message": r.message,
                    "implicit": r.is_implicit(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "hash": packs.hash,
        "files": packs.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "datasets": datasets,
    })
}

/// Loads the rule packs under `path` (a folder or one `.toml` file).
#[pyfunction]
fn load_packs(py: Python<'_>, path: PathBuf) -> PyResult<Packs> {
    let loaded = py.detach(|| ddss::pack::load_packs(&path));
    loaded
        .map(|p| Packs { inner: Arc::new(p) })
        .map_err(|e| PackError::new_err(e.to_string()))
}

/// `rules` as packs: a `Packs` object, or a path to load.
fn packs_of(py: Python<'_>, rules: &Bound<'_, PyAny>) -> PyResult<Arc<PackSet>> {
    if let Ok(packs) = rules.cast::<Packs>() {
        return Ok(packs.get().inner.clone());
    }
    let path: PathBuf = rules.extract().map_err(|_| {
        PyTypeError::new_err(
            "rules must be a path to a rule-pack folder or file, or ddss.load_packs(...)",
        )
    })?;
    load_packs(py, path).map(|p| p.inner)
}

fn as_of_date(as_of: Option<&str>) -> PyResult<chrono::NaiveDate> {
    match as_of {
        None => Ok(chrono::Local::now().date_naive()),
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            UsageError::new_err(format!(
                "invalid as_of '{text}': expected a date as YYYY-MM-DD"
            ))
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn run_options(
    as_of: Option<&str>,
    out: Option<PathBuf>,
    fail_under: Option<f64>,
    mask: bool,
    lang: &str,
    memory_limit: Option<u64>,
    targets: Option<PathBuf>,
) -> PyResult<RunOptions> {
    let lang = match lang {
        "vi" => Lang::Vi,
        "en" => Lang::En,
        other => {
            return Err(PyValueError::new_err(format!(
                "lang must be 'vi' or 'en', not '{other}'"
            )));
        }
    };
    let targets = match targets {
        None => ddss::targets::Targets::default(),
        Some(path) => {
            ddss::targets::Targets::load(&path).map_err(|e| UsageError::new_err(e.to_string()))?
        }
    };
    Ok(RunOptions {
        as_of: as_of_date(as_of)?,
        out_dir: out.unwrap_or_default(),
        progress: false,
        fail_under,
        mask,
        targets,
        lang,
        memory_limit: memory_limit.unwrap_or_else(ddss::cli::default_memory_limit),
    })
}

fn to_json(results: &ddss::results::RunResults) -> PyResult<String> {
    // As results.json holds them: a run written to `out` has its units in
    // their files.
    serde_json::to_string(results.as_written().as_ref())
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// The CLI's `validate`: results as JSON text (results.json). With `out`,
/// the reports are written there exactly as the CLI writes them.
#[pyfunction]
#[pyo3(signature = (inputs, rules, out=None, as_of=None, fail_under=None, mask=false, lang="vi", memory_limit=None, targets=None))]
#[allow(clippy::too_many_arguments)]
fn validate(
    py: Python<'_>,
    inputs: Vec<PathBuf>,
    rules: &Bound<'_, PyAny>,
    out: Option<PathBuf>,
    as_of: Option<&str>,
    fail_under: Option<f64>,
    mask: bool,
    lang: &str,
    memory_limit: Option<u64>,
    targets: Option<PathBuf>,
) -> PyResult<String> {
    let packs = packs_of(py, rules)?;
    let writes = out.is_some();
    let options = run_options(as_of, out, fail_under, mask, lang, memory_limit, targets)?;
    let results = py.detach(|| {
        if writes {
            ddss::job::run(&packs, &inputs, &options)
        } else {
            ddss::engine::plan_run(&packs, &inputs, options.memory_limit)
                .and_then(|plan| ddss::job::results_only(&plan, &options))
        }
    });
    to_json(&results.map_err(|e| UsageError::new_err(e.to_string()))?)
}

/// One table in memory (any object with `__arrow_c_stream__`) validated as
/// dataset `dataset` of `rules`: results as JSON text. Nothing is written.
#[pyfunction]
#[pyo3(signature = (data, rules, dataset, as_of=None, fail_under=None))]
fn validate_frame(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    rules: &Bound<'_, PyAny>,
    dataset: String,
    as_of: Option<&str>,
    fail_under: Option<f64>,
) -> PyResult<String> {
    let packs = packs_of(py, rules)?;
    let options = run_options(as_of, None, fail_under, false, "vi", None, None)?;
    let pack = packs
        .dataset(&dataset)
        .map_err(|e| UsageError::new_err(e.to_string()))?;
    let frame = arrow::frame_of(data)?;
    let source = format!("<frame {dataset}>");
    let results = py.detach(|| {
        let table = ddss::input::table_from_frame(
            &frame,
            &pack.columns,
            &pack.dataset.missing_values,
            &source,
        )
        .map_err(|e| e.to_string())?;
        let plan =
            ddss::engine::plan_tables(&packs, vec![(dataset.clone(), table)], options.memory_limit)
                .map_err(|e| e.to_string())?;
        ddss::job::results_only(&plan, &options).map_err(|e| e.to_string())
    });
    to_json(&results.map_err(UsageError::new_err)?)
}

/// Sets the number of threads ddss uses (the CLI uses one per core). Must
/// come before the first validation; later calls fail.
#[pyfunction]
fn set_threads(threads: usize) -> PyResult<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| PyRuntimeError::new_err(format!("the thread pool is already running: {e}")))
}

/// The delimiter ddss would read a CSV with, from its first bytes.
#[pyfunction]
fn sniff_delimiter(head: &[u8]) -> String {
    char::from(ddss::input::sniff_delimiter(head)).to_string()
}

/// Every check kind: (code, name, summary).
#[pyfunction]
fn check_kinds() -> Vec<(String, String, String)> {
    ddss::registry::KINDS
        .iter()
        .map(|k| (k.code.to_string(), k.name.to_string(), k.summary()))
        .collect()
}

#[pymodule]
fn _ddss(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("PackError", m.py().get_type::<PackError>())?;
    m.add("UsageError", m.py().get_type::<UsageError>())?;
    m.add("ReadError", m.py().get_type::<ReadError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Packs>()?;
    m.add_function(wrap_pyfunction!(load_packs, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(validate_frame, m)?)?;
    m.add_function(wrap_pyfunction!(set_threads, m)?)?;
    m.add_function(wrap_pyfunction!(check_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(sniff_delimiter, m)?)?;
    m.add_class::<arrow::ArrowData>()?;
    m.add_class::<batches::DatasetPlan>()?;
    m.add_class::<batches::Tally>()?;
    m.add_class::<batches::Evaluated>()?;
    m.add_class::<batches::CsvReader>()?;
    m.add_class::<batches::CsvPiece>()?;
    m.add_function(wrap_pyfunction!(batches::plan_dataset, m)?)?;
    m.add_function(wrap_pyfunction!(batches::conclude, m)?)?;
    Ok(())
}
