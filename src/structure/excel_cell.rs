//! `excel_cell` (PH007) — a workbook's cells hold what the officer typed.
//!
//! Why: Excel changes values as they are typed or opened. A 12-digit personal
//! ID or a 5-digit commune code stored as a number loses its leading zero
//! (every personal ID starts with 0: province codes are 001–096) and is shown
//! in scientific notation; `1-2` becomes a date; a date typed as text sits
//! among real date cells, so the column has two formats; a formula's cached
//! value is an error (`#N/A`, `#REF!`); a merged cell gives its value to one
//! row and leaves the others empty. The value another system reads is then
//! not the one meant, so the row is not clean (sạch). Only workbook inputs
//! (`src/input/workbook.rs`) can have this finding; each one names the cell
//! (`Sheet!B7`) in the dataset's errors. The fix: format the column as Text,
//! unmerge, replace the formula by its value, and type the value again.
//!
//! ```toml
//! [[rules]]
//! id = "PH007"
//! check = "excel_cell"
//! dimension = "sach"
//! message = "Ô Excel bị đổi kiểu dữ liệu"
//! ```

use crate::model::{Dimension, RowDefect, Severity};
use crate::structure::{ImplicitRule, structural_kind};

structural_kind!(ExcelCell, RowDefect::ExcelCell);

pub const RULE: ImplicitRule = ImplicitRule {
    defect: RowDefect::ExcelCell,
    dimension: Dimension::Sach,
    severity: Severity::Warn,
    message: "Ô Excel bị đổi kiểu dữ liệu (số mất số 0 đầu, ngày tháng, công thức lỗi, ô gộp)",
    message_en: "A workbook cell Excel changed (number without its leading zero, date, formula error, merged cell)",
};
