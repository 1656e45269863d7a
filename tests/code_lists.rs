//! The shipped code lists work with `in_set`: ethnic groups in both official
//! numberings, land-use purpose codes, nationalities.

use std::path::Path;

use chrono::NaiveDate;
use ddss::contract::{LookupSets, ReferenceTables};
use ddss::engine::query::{check_table, rule_column};
use ddss::input::{ReadOptions, read_table};
use ddss::pack::parse_pack;

const PACK: &str = r#"
[dataset]
name = "codes"
sector = "test"
files = ["codes.csv"]

[columns]
dan_toc_1979 = "string"
dan_toc_2008 = "string"
loai_dat = "string"
quoc_tich = "string"

[[rules]]
id = "E79"
check = "in_set"
column = "dan_toc_1979"
reference = "reference/ethnic_groups.csv"
reference_column = "code"
dimension = "dung"
message = "Mã dân tộc (QĐ 121-TCTK/PPCĐ 1979)"

[[rules]]
id = "E08"
check = "in_set"
column = "dan_toc_2008"
reference = "reference/ethnic_groups.csv"
reference_column = "code_gso_2008"
dimension = "dung"
message = "Mã dân tộc (QĐ 1019/QĐ-TCTK 2008)"

[[rules]]
id = "LAND"
check = "in_set"
column = "loai_dat"
reference = "reference/land_use_codes.csv"
reference_column = "code"
dimension = "dung"
message = "Mã loại đất"

[[rules]]
id = "NAT"
check = "in_set"
column = "quoc_tich"
reference = "reference/nationalities_iso3166.csv"
reference_column = "alpha_2"
dimension = "dung"
message = "Quốc tịch"
"#;

#[test]
fn code_lists_accept_official_codes_and_reject_others() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let pack = parse_pack(
        &rules.join("codes.toml"),
        PACK,
        &rules,
        &ReferenceTables::default(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("codes.csv");
    // Hoa is 04 in the 1979 numbering and 06 in the 2008 one; 55 is not official in either.
    std::fs::write(
        &file,
        "dan_toc_1979,dan_toc_2008,loai_dat,quoc_tich\n04,06,ONT,VN\n54,54,LUC,US\n55,55,XYZ,VNM\n",
    )
    .unwrap();
    let table = read_table(&file, &ReadOptions::default(), &|_| {}).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let checked = check_table(
        &pack,
        &table.frame,
        &table.header,
        as_of,
        &LookupSets::default(),
        vec![],
    );
    let fails = |i: usize| -> Vec<Option<bool>> {
        checked
            .frame
            .column(&rule_column(i))
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect()
    };
    assert_eq!(
        fails(0),
        vec![Some(false), Some(false), Some(false)],
        "55 'Người nước ngoài' is in the file's code column"
    );
    assert_eq!(fails(1), vec![Some(false), Some(false), Some(false)]);
    assert_eq!(fails(2), vec![Some(false), Some(false), Some(true)]);
    assert_eq!(fails(3), vec![Some(false), Some(false), Some(true)]);
}
