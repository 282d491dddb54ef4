"""hsclass.Evaluation and hsclass.parse_code: thin wrappers over hsc_eval
and hsc_code_parse."""

import pytest

import hsclass


def test_threshold_and_accepted():
    ev = hsclass.Evaluation()
    for i in range(20):
        ev.add(1.0 - 0.04 * i, i < 10 or i % 2 == 0)
    t = ev.threshold(0.95, min_accepted=5)
    assert t == pytest.approx(0.6)
    assert ev.accepted(t) == (11, 11)
    assert ev.threshold(0.95, min_accepted=12) is None
    assert ev.counts() == (20, 20, 15)
    ev.close()
    ev.close()
    with pytest.raises(hsclass.StateError):
        ev.add(0.5, True)


def test_calibration_and_reliability():
    with hsclass.Evaluation() as ev:
        assert ev.ece() is None          # not available: no row
        assert ev.reliability() == []
        assert ev.threshold(0.9) is None
        ev.add(None, False)
        assert ev.ece() is None          # not available: no suggestion
        ev.extend([(0.8, True), (0.8, True), (None, False)])
        assert ev.ece() == pytest.approx(0.1)
        bins = ev.reliability(15)
        assert len(bins) == 15 and sum(b.rows for b in bins) == 4
        assert bins[12].rows == 2 and bins[12].accuracy == 1.0
        assert bins[0].low == 0.0 and bins[-1].high == 1.0
        assert ev.ranked() == [(0.8, True), (0.8, True), (None, False), (None, False)]
        with pytest.raises(hsclass.InvalidArgument):
            ev.add(1.5, True)
        with pytest.raises(hsclass.InvalidArgument):
            ev.add(None, True)
        with pytest.raises(hsclass.InvalidArgument):
            ev.ece(bins=0)


def test_parse_code():
    assert hsclass.parse_code("8703 23") == "870323"
    assert hsclass.parse_code("0201.30.00") == "02013000"
    assert hsclass.parse_code("") == ""
    for bad in ("87x3", "8703230000000", "84,85"):
        with pytest.raises(hsclass.BadCode):
            hsclass.parse_code(bad)
