"""`flask evaluate` is a contract (RULES.md §5): JSON on stdout, exit 2 with a message for an invalid profile."""

import json
import os
import subprocess
import sys

PROFILE = {
    "name": "新昌县示例精密轴承有限公司", "registered_on": "2019-04-12", "as_of": "2026-06-30",
    "years": {
        "2025": {"employees": 120, "tech_staff": 26, "sales": "8200", "cost_expense": 7100, "rd": 410,
                 "rd_domestic": 410, "total_assets": 9100, "net_assets": 4300, "total_revenue": 8300,
                 "high_tech_revenue": 6100},
    },
    "ip": {"class_i": 1, "class_ii": 6},
    "hnte_domain": "先进制造与自动化",
}


def run(args, tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi", "PIPELINE_ENV": "testing"}
    return subprocess.run([sys.executable, "-m", "flask", "evaluate", *args], capture_output=True, text=True,  # noqa: S603
                          env=env, timeout=60, cwd=os.getcwd())


def test_flask_evaluate_prints_the_contract_json(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(PROFILE, ensure_ascii=False), encoding="utf-8")
    result = run([str(path)], tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["tech_sme"]["year"] == 2026 and out["tech_sme"]["data_year"] == 2025
    # 26/120 = 21.7% → 12; 410/8200 = 5% → 40; one Class I → 30
    assert out["tech_sme"]["points"] == {"tech_staff": 12, "rd": 40, "ip": 30}
    assert out["tech_sme"]["score"] == 82 and out["tech_sme"]["eligible"] is True and out["tech_sme"]["route"] == "score"
    # Registered in 2019 with only 2025's figures: the period 2023–2025 lacks two years (revision 2).
    assert out["hnte"]["verdict"] == "undetermined" and out["hnte"]["missing_years"] == [2023, 2024]
    assert out["hnte"]["conditions"]["rd_ratio"]["pass"] is None
    assert out["hnte"]["innovation"]["parts"]["conversion"] == [0, 30]
    assert set(out["hnte"]["innovation"]["parts"]) == {"ip", "conversion", "rd_management", "growth"}


def test_flask_evaluate_takes_a_loss_making_firm(tmp_path):
    loss = json.loads(json.dumps(PROFILE))
    loss["years"]["2025"]["net_assets"] = "-350.5"
    path = tmp_path / "loss.json"
    path.write_text(json.dumps(loss, ensure_ascii=False), encoding="utf-8")
    result = run([str(path)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tech_sme"]["eligible"] is True


def test_flask_evaluate_refuses_an_invalid_profile_with_exit_2(tmp_path):
    bad = json.loads(json.dumps(PROFILE))
    bad["years"]["2025"]["tech_staff"] = 500
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    result = run([str(path)], tmp_path)
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr and "tech_staff" in result.stderr
