from datetime import date
from decimal import Decimal

import pytest

from pipeline.domain.profile import Expert, Flags, IpCounts, ProfileError, loads, parse_profile


def test_amounts_are_exact_decimals_from_strings_ints_and_json_numbers(make_data):
    data = loads('{"rd": 410.10, "sales": 8200}')
    profile = parse_profile(make_data(last={"rd": data["rd"], "sales": data["sales"], "cost_expense": " 0.1 "}))
    y = profile.last
    assert y.rd == Decimal("410.10") and isinstance(y.rd, Decimal)
    assert y.sales == Decimal(8200)
    assert y.cost_expense == Decimal("0.1")


def test_rd_domestic_defaults_to_rd(make_data):
    data = make_data(last={"rd": "123.45"})
    del data["years"]["2025"]["rd_domestic"]
    assert parse_profile(data).last.rd_domestic == Decimal("123.45")


def test_optional_sections_default_to_zero_false_and_unknown(make_data):
    data = make_data()
    for key in ("ip", "conversions_3y", "hnte_domain", "name"):
        del data[key]
    profile = parse_profile(data)
    assert profile.ip == IpCounts(0, 0)
    assert profile.conversions_3y is None  # unknown, not zero (revision 2)
    assert profile.flags == Flags() and not profile.direct.any
    assert profile.expert == Expert(None, None, None, None, None)
    assert profile.hnte_domain is None
    assert (profile.year, profile.data_year, profile.registered_on) == (2026, 2025, date(2019, 4, 12))


def test_credit_code_is_normalised(make_profile):
    assert make_profile(credit_code="91350100m000100y43").credit_code == "91350100M000100Y43"


def _drop_year(data):
    del data["years"]["2025"]


def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return mutate


def _delete(*path):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


INVALID = [
    ("missing year Y-1", _drop_year, "years.2025"),
    ("negative amount", _set(("years", "2025", "rd"), "-0.01"), "years.2025.rd"),
    ("negative total assets", _set(("years", "2024", "total_assets"), -5), "years.2024.total_assets"),
    ("zero employees", _set(("years", "2025", "employees"), 0), "years.2025.employees"),
    ("zero employees in an older year", _set(("years", "2023", "employees"), "0"), "years.2023.employees"),
    ("tech staff above employees", _set(("years", "2025", "tech_staff"), 101), "years.2025.tech_staff"),
    ("fractional employees", _set(("years", "2025", "employees"), "100.5"), "years.2025.employees"),
    ("missing amount", _delete("years", "2025", "sales"), "years.2025.sales"),
    ("list where a number belongs", _set(("years", "2025", "sales"), [8000]), "years.2025.sales"),
    ("non-numeric string", _set(("years", "2025", "sales"), "八千"), "years.2025.sales"),
    ("absurdly large amount", _set(("years", "2025", "sales"), "1E+999999"), "years.2025.sales"),
    ("absurdly fine amount", _set(("years", "2025", "sales"), "1E-999999"), "years.2025.sales"),
    ("infinite amount", _set(("years", "2025", "sales"), "Infinity"), "years.2025.sales"),
    ("bool where a number belongs", _set(("years", "2025", "employees"), True), "years.2025.employees"),
    ("binary float", _set(("years", "2025", "rd"), 410.5), "years.2025.rd"),
    ("domestic R&D above R&D", _set(("years", "2025", "rd_domestic"), "400.01"), "years.2025.rd_domestic"),
    ("high-tech revenue above total", _set(("years", "2025", "high_tech_revenue"), "8000.01"),
     "years.2025.high_tech_revenue"),
    ("unknown year field", _set(("years", "2025", "emploees"), 3), "years.2025.emploees"),
    ("unknown top-level field", _set(("expret",), {}), "expret"),
    ("year key not four digits", _set(("years", "25"), {}), "years.25"),
    ("years not an object", _set(("years",), []), "years"),
    ("impossible date", _set(("as_of",), "2026-02-30"), "as_of"),
    ("slashed date", _set(("registered_on",), "2019/04/12"), "registered_on"),
    ("number as date", _set(("as_of",), 20260630), "as_of"),
    ("missing as_of", _delete("as_of"), "as_of"),
    ("registered after the data year", _set(("registered_on",), "2026-01-05"), "registered_on"),
    ("flag as a string", _set(("flags", "major_incident"), "false"), "flags.major_incident"),
    ("unknown flag", _set(("direct", "valid_hnte_cert"), True), "direct.valid_hnte_cert"),
    ("negative IP count", _set(("ip", "class_i"), -1), "ip.class_i"),
    ("conversions as text", _set(("conversions_3y",), "many"), "conversions_3y"),
    ("expert score above its range", _set(("expert", "advancement"), 9), "expert.advancement"),
    ("domain not a string", _set(("hnte_domain",), 3), "hnte_domain"),
    ("bad credit code", _set(("credit_code",), "91350100M000100Y44"), "credit_code"),
    ("profile not an object", None, "profile"),
]


@pytest.mark.parametrize("case, mutate, field", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_profiles_raise_profile_error_naming_the_field(make_data, case, mutate, field):
    data = make_data()
    if mutate is None:
        data = [data]
    else:
        mutate(data)
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    assert caught.value.field == field
    message = str(caught.value)
    assert message.startswith(f"{field}: ")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), "message should be in Chinese"
    assert "(" in message and message.endswith(")"), "and carry an English gloss"


def test_loads_refuses_nan():
    with pytest.raises(ProfileError, match="NaN"):
        loads('{"rd": NaN}')


def test_years_outside_the_period_are_validated_but_allowed(make_data):
    data = make_data()
    data["years"]["2026"] = dict(data["years"]["2025"])
    assert 2026 in parse_profile(data).years
