"""A separate project's tests: they use only the installed plugin's fixtures."""

from __future__ import annotations

import httpx
import pytest
from calendar_client import AgendaClient, SessionFull


@pytest.fixture
def agenda(accelevents_mock) -> AgendaClient:
    return AgendaClient(accelevents_mock.client, accelevents_mock.eventurl,
                        accelevents_mock.tokens["attendee"])


def test_books_a_live_workshop(agenda, accelevents_mock) -> None:
    workshop = accelevents_mock.cases["workshop_session"]
    assert workshop in [s["sessionId"] for s in agenda.workshops()]
    agenda.book(workshop)
    assert agenda.my_sessions() == [workshop]
    assert accelevents_mock.journal()[-1]["operation"] == "getRegisteredSessions"


def test_reports_a_full_session(agenda, accelevents_mock) -> None:
    with pytest.raises(SessionFull):
        agenda.book(accelevents_mock.cases["full_session"])


def test_forced_scenario_for_one_block(agenda, accelevents_mock) -> None:
    open_session = accelevents_mock.cases["open_session"]
    with accelevents_mock.scenario("capacity-reached"), pytest.raises(SessionFull):
        agenda.book(open_session)
    agenda.book(open_session)


def test_clock_ends_the_session(agenda, accelevents_mock) -> None:
    accelevents_mock.clock.advance(days=1)
    with pytest.raises(httpx.HTTPStatusError) as error:
        agenda.book(accelevents_mock.cases["open_session"])
    assert error.value.response.status_code == 407


@pytest.mark.accelevents(seed=7, sessions=12)
def test_world_per_test(accelevents_mock) -> None:
    assert accelevents_mock.world["seed"] == 7


def test_over_real_http(accelevents_mock_url, accelevents_mock) -> None:
    with httpx.Client(base_url=accelevents_mock_url) as client:
        agenda = AgendaClient(client, accelevents_mock.eventurl, accelevents_mock.tokens["attendee"])
        assert agenda.workshops()
