"""`make bench` has a scenario for every route of template.yaml (a new route without one fails here first)."""

from bench.ops import check_coverage


def test_every_route_has_a_benchmark_scenario():
    assert check_coverage() == []


def test_every_function_has_a_cold_start_request():
    from bench.coldstart import TYPICAL
    from local.template import functions

    assert set(TYPICAL) == set(functions())
