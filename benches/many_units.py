"""The many-units benchmark shape (issue 22): a civil-status export of 12
columns, ~130 bytes a row, ISO dates and a `YYYY-MM-DD HH:MM:SS` update
time, exactly 10,000 distinct commune codes as the unit column (the first
10,000 of the pre-reform list), 1.5 % defective rows — generated
deterministically (seed 22) with numpy and written with polars.

    python benches/many_units.py ROWS PATH

The 12 checks are benches/packs/many_units_12.toml; `DUCKDB` below computes
the same 12 failure counts for the cross-check.
"""

import sys
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
COMMUNES = ROOT / "rules" / "reference" / "communes_2024.csv"
BIRTHPLACES = ROOT / "rules" / "reference" / "cccd_birthplace_codes.csv"
UNITS = 10_000
DEFECT_RATE = 0.015
SEED = 22
AS_OF = np.datetime64("2026-06-30")

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thu", "Xuân", "Quang", "Thanh"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Minh", "Nam", "Ngân", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
         "Tuấn", "Vy", "Yến"]
STATUS = ["Đã cấp", "Đang xử lý", "Đã đồng bộ"]

# Same semantics as the ddss checks (benches/whole_process.py explains them).
DUCKDB = """
import sys, json, duckdb
path, communes, as_of, ethnic = sys.argv[1:5]
sql = f'''
WITH t AS (
  SELECT nullif(trim(ma_ho_so), '') AS k, nullif(trim(so_dinh_danh), '') AS id,
         nullif(trim(ho_ten), '') AS name, nullif(trim(gioi_tinh), '') AS sex,
         try_strptime(trim(ngay_sinh), '%Y-%m-%d')::DATE AS birth,
         try_strptime(trim(ngay_dang_ky), '%Y-%m-%d')::DATE AS reg,
         nullif(trim(ma_dan_toc), '') AS ethnic, nullif(trim(ma_xa), '') AS commune,
         try_strptime(trim(thoi_diem_cap_nhat), '%Y-%m-%d %H:%M:%S') AS updated
  FROM read_csv('{path}', all_varchar = true, header = true, delim = ',', quote = '"')
),
dup_k AS (SELECT sum(n) AS n FROM (SELECT count(*) AS n FROM t WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1)),
dup_id AS (SELECT sum(n) AS n FROM (SELECT count(*) AS n FROM t WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1)),
codes AS (SELECT code FROM read_csv('{communes}', all_varchar = true, header = true))
SELECT
  count(*) FILTER (WHERE k IS NULL) AS M01,
  coalesce((SELECT n FROM dup_k), 0) AS M02,
  count(*) FILTER (WHERE id IS NULL) AS M03,
  count(*) FILTER (WHERE id IS NOT NULL AND NOT regexp_full_match(id, '[0-9]{{12}}')) AS M04,
  coalesce((SELECT n FROM dup_id), 0) AS M05,
  count(*) FILTER (WHERE name IS NULL) AS M06,
  count(*) FILTER (WHERE sex IS NOT NULL AND sex NOT IN ('Nam', 'Nữ')) AS M07,
  count(*) FILTER (WHERE birth < DATE '1900-01-01' OR birth > DATE '{as_of}') AS M08,
  count(*) FILTER (WHERE reg < birth) AS M09,
  count(*) FILTER (WHERE ethnic IS NOT NULL AND ethnic NOT IN ({ethnic})) AS M10,
  count(*) FILTER (WHERE commune IS NOT NULL AND commune NOT IN (SELECT code FROM codes)) AS M11,
  count(*) FILTER (WHERE updated < TIMESTAMP '{as_of}' - INTERVAL 365 DAY) AS M12
FROM t
'''
con = duckdb.connect()
con.execute('SET enable_progress_bar = false')
row = con.execute(sql).fetchone()
names = [d[0].upper() for d in con.description]
print(json.dumps({n: int(v) for n, v in zip(names, row)}))
"""


def pick(rng, words, n):
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), n)]


def block(rng, start, n, codes, birthplaces):
    """Rows start..start+n: clean values, then 1.5 % of rows given one defect."""
    seq = np.arange(start, start + n)
    key = np.char.add("HS", np.char.zfill(seq.astype(str), 10)).astype(object)
    province = birthplaces[rng.integers(0, len(birthplaces), n)]
    birth = AS_OF - rng.integers(0, 95 * 365, n).astype("timedelta64[D]")
    year = birth.astype("datetime64[Y]").astype(int) + 1970
    century_sex = rng.integers(0, 2, n) + np.where(year >= 2000, 2, 0)
    serial = (seq * 7919 + 13) % 1_000_000
    ids = [f"{p}{c}{y % 100:02d}{s:06d}" for p, c, y, s in zip(province, century_sex, year, serial)]
    ids = np.asarray(ids, dtype=object)
    sex = np.where(century_sex % 2 == 0, "Nam", "Nữ").astype(object)
    name = pick(rng, FAMILY, n) + " " + pick(rng, MIDDLE, n) + " " + pick(rng, GIVEN, n)
    registered = birth + rng.integers(0, 60, n).astype("timedelta64[D]")
    registered = np.minimum(registered, AS_OF)
    ethnic = np.char.zfill((rng.integers(1, 55, n)).astype(str), 2).astype(object)
    commune = codes[rng.integers(0, len(codes), n)]
    address = np.asarray([f"Số {a} thôn {b}" for a, b in
                          zip(rng.integers(1, 500, n), rng.integers(1, 30, n))], dtype=object)
    phone = np.char.add("09", np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)).astype(object)
    status = pick(rng, STATUS, n)
    updated_s = rng.integers(0, 360 * 86400, n).astype("timedelta64[s]")
    updated = (AS_OF.astype("datetime64[s]") - updated_s)

    birth_s = birth.astype(str).astype(object)
    registered_s = registered.astype(str).astype(object)
    updated_txt = np.char.replace(updated.astype(str), "T", " ").astype(object)

    defective = np.flatnonzero(rng.random(n) < DEFECT_RATE)
    kinds = rng.integers(0, 11, len(defective))
    for row, kind in zip(defective, kinds):
        if kind == 0:
            key[row] = key[row - 1] if row > 0 else None
        elif kind == 1:
            ids[row] = None
        elif kind == 2:
            ids[row] = ids[row][:11]
        elif kind == 3:
            ids[row] = ids[row - 1] if row > 0 else "0" * 11 + "x"
        elif kind == 4:
            name[row] = None
        elif kind == 5:
            sex[row] = "nam"
        elif kind == 6:
            birth_s[row] = "1890-05-01"
        elif kind == 7:
            registered_s[row] = "1899-01-01"
        elif kind == 8:
            ethnic[row] = "99"
        elif kind == 9:
            commune[row] = "99999"
        else:
            updated_txt[row] = "2024-01-02 03:04:05"
    return pl.DataFrame({
        "ma_ho_so": key, "so_dinh_danh": ids, "ho_ten": name, "gioi_tinh": sex,
        "ngay_sinh": birth_s, "ngay_dang_ky": registered_s, "ma_dan_toc": ethnic, "ma_xa": commune,
        "dia_chi": address, "so_dien_thoai": phone, "trang_thai": status,
        "thoi_diem_cap_nhat": updated_txt,
    }, schema={c: pl.String for c in [
        "ma_ho_so", "so_dinh_danh", "ho_ten", "gioi_tinh", "ngay_sinh", "ngay_dang_ky", "ma_dan_toc",
        "ma_xa", "dia_chi", "so_dien_thoai", "trang_thai", "thoi_diem_cap_nhat"]})


def generate(rows, path):
    codes = pl.read_csv(COMMUNES, infer_schema=False)["code"].head(UNITS).to_numpy().astype(object)
    # Birthplace codes of Thông tư 07/2016/TT-BCA (rules/reference/SOURCES.md).
    birthplaces = pl.read_csv(BIRTHPLACES, infer_schema=False)["code"].to_numpy().astype(object)
    rng = np.random.default_rng(SEED)
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "wb") as out:
        step = 500_000
        for start in range(0, rows, step):
            frame = block(rng, start, min(step, rows - start), codes, birthplaces)
            frame.write_csv(out, include_header=(start == 0))
    tmp.rename(path)


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
