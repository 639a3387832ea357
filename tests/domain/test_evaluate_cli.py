import io
import json

import pytest

from pipeline.evaluate_cli import run_evaluate


def _run(path, stdin_text=""):
    out, err = io.StringIO(), io.StringIO()
    status = run_evaluate(str(path), out, err, stdin=io.StringIO(stdin_text))
    return status, out.getvalue(), err.getvalue()


def _write(tmp_path, obj):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def test_one_profile_prints_one_object(tmp_path, make_data):
    status, out, err = _run(_write(tmp_path, make_data()))
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert result["tech_sme"]["data_year"] == 2025 and "verdict" in result["hnte"]


def test_a_list_prints_a_list_in_order(tmp_path, make_data):
    status, out, err = _run(_write(tmp_path, [make_data(), make_data(flags={"dishonest_list": True})]))
    assert (status, err) == (0, "")
    results = json.loads(out)
    assert [r["tech_sme"]["failed"] for r in results] == [[], ["dishonest_list"]]


def test_chinese_is_printed_as_is(tmp_path, make_data):
    _, out, _ = _run(_write(tmp_path, make_data(flags={"dishonest_list": True})))
    assert "失信" in out and "\\u" not in out


def test_decimal_numbers_in_json_stay_exact(tmp_path, make_data):
    # As a binary float 0.3 is 0.29999…, just under the 30%-of-cost band; read exactly it scores 50.
    path = tmp_path / "p.json"
    text = json.dumps(make_data(last={"sales": 100000, "cost_expense": 1, "rd": "RD", "rd_domestic": "RD"}))
    path.write_text(text.replace('"RD"', "0.3"), encoding="utf-8")
    status, out, _ = _run(path)
    assert status == 0 and json.loads(out)["tech_sme"]["points"]["rd"] == 50


def test_stdin_is_read_for_dash(make_data):
    status, out, _ = _run("-", json.dumps(make_data()))
    assert status == 0 and json.loads(out)["tech_sme"]["year"] == 2026


def test_empty_list_prints_an_empty_list(tmp_path):
    assert _run(_write(tmp_path, [])) == (0, "[]\n", "")


def test_invalid_profile_exits_2_with_a_message_and_no_output(tmp_path, make_data):
    status, out, err = _run(_write(tmp_path, make_data(last={"employees": 0})))
    assert (status, out) == (2, "")
    assert "years.2025.employees" in err and "职工总数必须大于 0" in err
    assert "Traceback" not in err


def test_invalid_item_in_a_list_names_its_index(tmp_path, make_data):
    bad = make_data()
    del bad["years"]["2025"]
    status, out, err = _run(_write(tmp_path, [make_data(), bad, make_data()]))
    assert (status, out) == (2, "")
    assert "index 1" in err and "第 2 个档案" in err and "years.2025" in err


@pytest.mark.parametrize("content, text", [("{not json", "JSON"), ('{"rd": NaN}', "NaN"), ("", "JSON"),
                                           ("42", "profile")])
def test_bad_json_exits_2(tmp_path, content, text):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    status, out, err = _run(path)
    assert (status, out) == (2, "") and text in err


def test_missing_file_exits_2(tmp_path):
    status, out, err = _run(tmp_path / "nope.json")
    assert (status, out) == (2, "") and "nope.json" in err


def test_file_not_in_utf8_exits_2(tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes('{"name": "企业"}'.encode("gbk"))
    status, out, err = _run(path)
    assert (status, out) == (2, "") and "gbk.json" in err
