"""The ceiling: a bare Starlette app on the same uvicorn that answers the bench's three requests
with fixed bodies, byte for byte the ones our mock answered. Nothing is looked up, validated,
journaled or encoded per request, so it is as fast as this stack can go on this machine.

Run: python bench/ceiling.py --port P --list-body FILE --detail-body FILE
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

JSON = "application/json"


def create_app(list_body: bytes, detail_body: bytes) -> Starlette:
    async def list_sessions(_: Request) -> Response:
        return Response(list_body, media_type=JSON)

    async def get_session(_: Request) -> Response:
        return Response(detail_body, media_type=JSON)

    async def registration(_: Request) -> Response:
        return Response(b"", status_code=200)

    return Starlette(routes=[
        Route("/rest/events/{eventurl}/session", list_sessions),
        Route("/rest/events/{eventurl}/session/v2/{session_id:int}", get_session),
        Route("/rest/events/{eventurl}/session/{session_id:int}/register", registration,
              methods=["POST", "DELETE"]),
    ])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--list-body", type=Path, required=True)
    p.add_argument("--detail-body", type=Path, required=True)
    args = p.parse_args()
    app = create_app(args.list_body.read_bytes(), args.detail_body.read_bytes())
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
