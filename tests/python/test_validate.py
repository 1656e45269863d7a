"""The Python package gives the CLI's results: same engine, same numbers."""

import json
import pathlib

import pytest

import ddss
from conftest import AS_OF, ROOT, cli_results, without_volatile


def test_validate_equals_the_cli_results_json(tmp_path):
    cli = cli_results(tmp_path / "cli", "fixtures")
    ours = ddss.validate(ROOT / "fixtures", rules=ROOT / "rules", as_of=AS_OF)
    # No files written: no violations file to point to.
    for d in cli["datasets"]:
        d.pop("violations_file", None)
    for d in ours["datasets"]:
        d.pop("violations_file", None)
    # Paths are spelled as given: the CLI got relative ones.
    for results in (cli, ours):
        results["rule_packs"]["files"] = [pathlib.Path(f).name for f in results["rule_packs"]["files"]]
        for d in results["datasets"]:
            d["source"] = pathlib.Path(d["source"]).name
            d["pack"] = pathlib.Path(d["pack"]).name
    assert len(ours["datasets"]) == 11
    assert without_volatile(ours) == without_volatile(cli)
    assert ours["exit_code"] == 1


def test_validate_with_out_writes_what_it_returns(tmp_path):
    out = tmp_path / "out"
    ours = ddss.validate([ROOT / "fixtures" / "dan_cu.csv"], rules="rules", out=out, as_of=AS_OF)
    written = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert written == ours
    assert (out / "scorecard.html").is_file() and (out / "violations.xlsx").is_file()
    assert [o["path"] for o in ours["outputs"]][-2:] == ["violations.xlsx", "scorecard.html"]


def test_loaded_packs_are_reused_and_described():
    packs = ddss.load_packs(ROOT / "rules")
    assert sorted(packs.datasets) == [
        "dan_cu",
        "doi_tuong_btxh",
        "ho_so_tthc",
        "ket_hon",
        "khai_sinh",
        "khai_tu",
        "lao_dong",
        "nguoi_nop_thue",
        "nguoi_phu_thuoc",
        "thua_dat",
        "tre_em",
    ]
    described = json.loads(packs.describe_json())
    kinds = {r["check"] for d in described["datasets"] for r in d["rules"]}
    assert {"cccd", "required", "ragged_row"} <= kinds
    a = ddss.validate(ROOT / "fixtures" / "khai_tu.csv", rules=packs, as_of=AS_OF)
    b = ddss.validate(ROOT / "fixtures" / "khai_tu.csv", rules=ROOT / "rules", as_of=AS_OF)
    assert a["rule_packs"]["hash"] == b["rule_packs"]["hash"] == packs.hash
    assert a["datasets"][0]["rules"] == b["datasets"][0]["rules"]


def test_a_broken_pack_raises_pack_error_with_file_and_line(tmp_path):
    (tmp_path / "p.toml").write_text(
        '[dataset]\nname = "t"\nsector = "x"\nfiles = ["t.csv"]\n\n[[rules]]\nid = "R"\ncheck = "requird"\n'
        'column = "a"\ndimension = "du"\nmessage = "m"\n',
        encoding="utf-8",
    )
    with pytest.raises(ddss.PackError) as raised:
        ddss.load_packs(tmp_path)
    message = str(raised.value)
    assert "p.toml:6" in message and "did you mean 'required'" in message, message
    assert isinstance(raised.value, ValueError)
    with pytest.raises(ddss.PackError):
        ddss.validate(ROOT / "fixtures", rules=tmp_path)


def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(ddss.UsageError, match="as_of"):
        ddss.validate(ROOT / "fixtures", rules=ROOT / "rules", as_of="30/06/2026")
    with pytest.raises(ddss.UsageError, match="not found"):
        ddss.validate(tmp_path / "nothing.csv", rules=ROOT / "rules")
    with pytest.raises(TypeError, match="rules must be"):
        ddss._ddss.validate([str(ROOT / "fixtures")], 42)
