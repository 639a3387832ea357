"""One track's gaps alone: the same gaps, in the same order, as that track's share of gaps()."""

import pytest

from pipeline.domain.eligibility import assess, gaps, track_gaps


@pytest.mark.parametrize("last", [
    {"employees": 120, "tech_staff": 10, "rd": "5", "rd_domestic": "5"},  # fails both tracks on several conditions
    {"employees": 60, "tech_staff": 30},
    {},
])
def test_one_tracks_gaps_are_its_share_of_both(make_profile, last):
    profile = make_profile(last=last)
    evaluation = assess(profile)
    both = gaps(profile, evaluation)
    for track in ("tech_sme", "hnte"):
        assert track_gaps(profile, evaluation, track) == [gap for gap in both if gap.track == track]
    assert track_gaps(profile, evaluation, "prov_sme") == []
    assert len(both) >= 2 if last.get("rd") else True  # the case that matters has gaps to compare
