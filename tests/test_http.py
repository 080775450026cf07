"""accelevents_mock/http.py: the JSON answers every handler sends."""

from __future__ import annotations

import pytest
from starlette.responses import Response

from accelevents_mock.http import JSON, json_response


@pytest.mark.parametrize("status", [200, 201, 400, 404, 503, 204, 304, 101])
@pytest.mark.parametrize("headers", [None, {}, {"X-Mock-Forced": "code=404"},
                                     {"Content-Type": "application/problem+json"}])
def test_a_json_answer_is_starlettes_response_of_its_bytes(status, headers) -> None:
    body = {"errorCode": "4040101", "data": [1, "é"]}
    ours = json_response(body, status, headers)
    theirs = Response(ours.body, status, headers, media_type=JSON)
    assert (ours.status_code, ours.raw_headers, ours.body, ours.background) == (
        theirs.status_code, theirs.raw_headers, theirs.body, theirs.background)
    assert ours.body == b'{"errorCode":"4040101","data":[1,"\xc3\xa9"]}'
