"""One answer to "does this response keep the documented contract?"
(accelevents_mock/contract/verdicts.py)."""

from __future__ import annotations

import copy

import pytest

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.spec import response_examples
from accelevents_mock.contract.verdicts import Kind, response_violations

JSON = "application/json"
SAMPLE_PAGE = response_examples()["listSessions"][200]["workshop"]


def kinds(operation: str, status: int, body: object, content_type: str | None = JSON) -> list[Kind]:
    return [v.kind for v in response_violations(operation, status, content_type, body)]


ERROR_ROWS = [(case, op) for case in catalogue.CATALOGUE for op in case.operations]


@pytest.mark.parametrize(("case", "operation"), ERROR_ROWS,
                         ids=[f"{op}-{c.scenario}-{c.status}" for c, op in ERROR_ROWS])
def test_every_documented_error_is_accepted(case: catalogue.ErrorCase, operation: str) -> None:
    assert kinds(operation, case.status, case.body(None, number_of_sessions_permitted=7)) == []


def test_every_documented_success_example_is_accepted() -> None:
    for operation, by_status in response_examples().items():
        for name, example in by_status[200].items():
            assert kinds(operation, 200, example) == [], (operation, name)


def test_a_placeholder_matches_any_number_but_nothing_else() -> None:
    limit = catalogue.lookup(catalogue.Scenario.SESSION_LIMIT_REACHED, "registerForSession")
    assert limit is not None
    assert kinds("registerForSession", 406, limit.body(number_of_sessions_permitted=12)) == []
    assert kinds("registerForSession", 406, limit.body(number_of_sessions_permitted="many")) == [
        Kind.ERROR_MESSAGE]


@pytest.mark.parametrize(("status", "body", "expected"), [
    (400, {"errorCode": "4001999", "errorMessage": "x", "developerMessage": None}, [Kind.ERROR_CODE]),
    (406, {"errorCode": "4062001", "errorMessage": "Your ticket does not permit access to this session",
           "developerMessage": None}, [Kind.ERROR_MESSAGE]),  # capacity's code, another case's text
    (404, {"errorCode": "404800", "errorMessage": "Session not found.", "developerMessage": None},
     [Kind.ERROR_MESSAGE]),  # registration spells it "Session not found!"
    (409, {"errorCode": "409", "errorMessage": "Conflict", "developerMessage": None},
     [Kind.UNDOCUMENTED_STATUS]),
])
def test_error_answers_that_break_the_catalogue(status: int, body: dict[str, object],
                                                expected: list[Kind]) -> None:
    assert kinds("registerForSession", status, body) == expected


def test_a_plain_text_error_is_not_the_documented_body() -> None:
    assert kinds("getSession", 404, None, "text/html") == [Kind.CONTENT_TYPE]
    assert Kind.ERROR_BODY in kinds("getSession", 404, ["not", "an", "object"])


def test_schema_breaks_are_named_by_kind() -> None:
    retyped, dropped = copy.deepcopy(SAMPLE_PAGE), copy.deepcopy(SAMPLE_PAGE)
    retyped["data"][0]["sessionId"] = str(retyped["data"][0]["sessionId"])
    del dropped["data"][0]["sessionId"]
    assert kinds("listSessions", 200, retyped) == [Kind.TYPE]
    assert kinds("listSessions", 200, dropped) == [Kind.MISSING_FIELD]
