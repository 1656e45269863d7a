//! Frames in: any Python object that exports the Arrow C stream interface
//! through the PyCapsule protocol (`__arrow_c_stream__`: polars, pandas ≥ 2.2
//! with pyarrow, pyarrow tables and record-batch readers, DuckDB results)
//! becomes a polars `DataFrame` without copying the column buffers.

use polars::prelude::*;
use polars_arrow::array::{Array, StructArray};
use polars_arrow::datatypes::ArrowDataType;
use polars_arrow::ffi::{ArrowArrayStream, ArrowArrayStreamReader};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// The polars frame of `data`'s Arrow stream.
pub fn frame_of(data: &Bound<'_, PyAny>) -> PyResult<DataFrame> {
    if !data.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "validate_frame needs a table that exports Arrow (a polars or pandas DataFrame, a pyarrow Table); got {}",
            data.get_type().name()?
        )));
    }
    let capsule = data.call_method0("__arrow_c_stream__")?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a PyCapsule"))?;
    let pointer = capsule.pointer() as *mut ArrowArrayStream;
    if pointer.is_null() {
        return Err(PyValueError::new_err("the Arrow stream capsule is empty"));
    }
    // SAFETY: the capsule holds an ArrowArrayStream (the PyCapsule protocol
    // names it "arrow_array_stream"); it is moved out and an empty (released)
    // stream left behind, so the capsule's destructor releases nothing twice.
    let stream = unsafe { std::ptr::replace(pointer, ArrowArrayStream::empty()) };
    read_stream(Box::new(stream))
        .map_err(|e| PyValueError::new_err(format!("cannot read the table's Arrow data: {e}")))
}

fn read_stream(stream: Box<ArrowArrayStream>) -> PolarsResult<DataFrame> {
    // SAFETY: the stream came from an Arrow producer through its capsule.
    let mut reader = unsafe { ArrowArrayStreamReader::try_new(stream)? };
    let ArrowDataType::Struct(fields) = reader.field().dtype().clone() else {
        polars_bail!(ComputeError: "the Arrow stream is not a table (its type is not a struct)");
    };
    let mut chunks: Vec<Vec<Box<dyn Array>>> = vec![Vec::new(); fields.len()];
    let mut rows = 0usize;
    // SAFETY: as above.
    while let Some(batch) = unsafe { reader.next() } {
        let batch = batch?;
        let Some(batch) = batch.as_any().downcast_ref::<StructArray>() else {
            polars_bail!(ComputeError: "a batch of the Arrow stream is not a struct array");
        };
        rows += batch.len();
        for (column, values) in chunks.iter_mut().zip(batch.values()) {
            column.push(values.clone());
        }
    }
    let columns = fields
        .iter()
        .zip(chunks)
        .map(|(field, arrays)| {
            if arrays.is_empty() {
                Ok(Series::full_null(field.name.clone(), 0, &DataType::String).into_column())
            } else {
                Series::try_from((field, arrays)).map(Column::from)
            }
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(rows, columns)
}

/// Frames out: a table ddss made (rule flags, violations, keys), handed to
/// Python through the same Arrow C stream interface — `pyarrow.table(x)`
/// or `polars.DataFrame(x)` take it without a copy. Strings leave as
/// `large_string` (the oldest Arrow layout polars writes), which every Arrow
/// reader accepts, Spark's included.
#[pyclass(module = "ddss._ddss", frozen)]
pub struct ArrowData {
    frame: DataFrame,
}

impl ArrowData {
    pub fn new(frame: DataFrame) -> ArrowData {
        ArrowData { frame }
    }
}

#[pymethods]
impl ArrowData {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        // The schema is ours to choose; a consumer casts if it wants another.
        let _ = requested_schema;
        let compat = CompatLevel::oldest();
        let frame = self.frame.clone();
        let fields: Vec<polars_arrow::datatypes::Field> = frame
            .columns()
            .iter()
            .map(|c| c.field().to_arrow(compat))
            .collect();
        let arrays: Vec<Box<dyn Array>> = frame
            .columns()
            .iter()
            .map(|c| c.as_materialized_series().rechunk().to_arrow(0, compat))
            .collect();
        let dtype = ArrowDataType::Struct(fields);
        let batch = StructArray::try_new(dtype.clone(), frame.height(), arrays, None)
            .map_err(|e| PyValueError::new_err(format!("cannot export the table: {e}")))?;
        let field = polars_arrow::datatypes::Field::new("".into(), dtype, false);
        let stream = polars_arrow::ffi::export_iterator(
            Box::new(std::iter::once(Ok(Box::new(batch) as Box<dyn Array>))),
            field,
        );
        PyCapsule::new(py, stream, Some(c"arrow_array_stream".to_owned()))
    }

    /// Rows, columns.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        self.frame.shape()
    }
}
