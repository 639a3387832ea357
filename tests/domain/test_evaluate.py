"""The RULES §5 example, with figures for 2024 and 2023 added, worked out by hand from the rules."""

import json
from fractions import Fraction

from pipeline.domain.eligibility import evaluate
from pipeline.domain.profile import loads, parse_profile

EXAMPLE = """{
  "name": "新昌县示例精密轴承有限公司", "credit_code": "91330624ma2bx5yw40",
  "registered_on": "2019-04-12", "as_of": "2026-06-30",
  "years": {
    "2025": {"employees": 120, "tech_staff": 26, "sales": 8200, "cost_expense": 7100, "rd": 410,
             "rd_domestic": 410, "total_assets": 9100, "net_assets": 4300,
             "total_revenue": 8300, "high_tech_revenue": 6100},
    "2024": {"employees": 110, "tech_staff": 22, "sales": "7000", "cost_expense": 6200, "rd": 330,
             "total_assets": 8000, "net_assets": 3800, "total_revenue": 7100, "high_tech_revenue": 5000},
    "2023": {"employees": 100, "tech_staff": 20, "sales": 6000.5, "cost_expense": 5400, "rd": 260,
             "rd_domestic": 200, "total_assets": 7000, "net_assets": 3000, "total_revenue": 6100,
             "high_tech_revenue": 4000}
  },
  "ip": {"class_i": 1, "class_ii": 6},
  "hnte_domain": "先进制造与自动化",
  "conversions_3y": 9,
  "flags": {"restricted_industry": false, "major_incident": false, "dishonest_list": false},
  "direct": {"valid_hnte": false, "national_award_top3": false, "provincial_rd_institution": false,
             "led_standard": false},
  "expert": {"advancement": 6, "core_support": 6, "acquisition": 5, "standards": 0, "rd_management": 14}
}"""


def _result():
    return evaluate(parse_profile(loads(EXAMPLE)))


def test_example_tech_sme_by_hand():
    # tech staff 26/120 = 21.7% → 12; R&D 410/8200 = 5% exactly → 40 (410/7100 = 5.8% of cost → 0);
    # one Class I → 30. Score 82 ≥ 60 with tech-staff points: eligible by score.
    assert _result()["tech_sme"] == {
        "year": 2026, "data_year": 2025, "eligible": True, "route": "score", "score": 82,
        "points": {"tech_staff": 12, "rd": 40, "ip": 30}, "failed": [],
        "ratios": {"tech_staff": "0.2166", "rd_sales": "0.0500", "rd_cost": "0.0577"},
    }


def test_example_hnte_conditions_by_hand():
    hnte = _result()["hnte"]
    conditions = {cid: (c["pass"], c["value"], c["threshold"]) for cid, c in hnte["conditions"].items()}
    assert conditions == {
        "registered_1y": (True, "2019-04-12", "2025-06-30"),
        "core_ip": (True, "7", "1"),
        "domain": (True, "先进制造与自动化", None),
        "tech_staff_ratio": (True, "0.2166", "0.10"),
        # Σ R&D 410 + 330 + 260 = 1000 over Σ sales 8200 + 7000 + 6000.5 = 21200.5 → 4.717%; sales 8200 → 4% band.
        "rd_ratio": (True, "0.0471", "0.04"),
        # rd_domestic of 2024 defaults to its rd: (410 + 330 + 200) / 1000.
        "rd_domestic_share": (True, "0.9400", "0.60"),
        "high_tech_revenue_share": (True, "0.7349", "0.60"),   # 6100 / 8300
        "no_major_incident": (True, "0", "0"),
        "innovation_score": (False, "61-69", "71"),
    }


def test_example_innovation_by_hand():
    innovation = _result()["hnte"]["innovation"]
    # IP: 6 + 6 + quantity 7–8 (one Class I) + acquisition 5 + standards 0 = 24–25.
    # Conversion: 9 over 3 years = 3 a year → 13–18.  R&D organisation: expert 14.
    # Net assets ½(3800/3000 + 4300/3800) − 1 = 19.9% → 5–6; sales ½(7000/6000.5 + 8200/7000) − 1 = 16.9% → 5–6.
    net = (Fraction(3800, 3000) + Fraction(4300, 3800)) / 2 - 1
    sales = (Fraction(7000, 1) / Fraction("6000.5") + Fraction(8200, 7000)) / 2 - 1
    assert Fraction(15, 100) <= sales < net < Fraction(25, 100)
    assert innovation == {
        "min": 24 + 13 + 14 + 10, "max": 25 + 18 + 14 + 12,
        "parts": {"ip": [24, 25], "conversion": [13, 18], "rd_management": [14, 14], "growth": [10, 12]},
        "growth_rates": {"net_assets": "0.1991", "sales": "0.1689"},
    }


def test_example_hnte_fails_on_the_score_alone_with_its_gap():
    result = _result()
    assert (result["hnte"]["verdict"], result["hnte"]["failed"]) == ("fail", ["innovation_score"])
    assert result["gaps"] == [{"track": "hnte", "condition": "innovation_score",
                               "message": "创新能力评价 61–69 分，最高也不足 71 分，差 2 分",
                               "shortfall": "2", "unit": "分", "near": True}]


def test_result_is_plain_json():
    result = _result()
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result
    assert set(result) >= {"tech_sme", "hnte"}
    assert set(result["hnte"]) >= {"verdict", "failed", "conditions", "innovation"}
