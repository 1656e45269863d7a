//! The generic check kinds (`DQ…` codes): one file per kind, each with a
//! doc comment saying what it checks and why, an example rule, and its
//! tests. What a kind sees and returns is `crate::contract`; the table that
//! names every kind with its code is `crate::registry`. The Vietnamese kinds
//! (`VN…`) live in `crate::vn`.

pub mod columns;
pub mod expr;
pub mod fresh;
pub mod in_set;
pub mod parses;
pub mod pattern;
pub mod range;
pub mod reference;
pub mod required;
pub mod row_count;
pub mod unique;

#[cfg(test)]
pub(crate) mod testing;
