"""The networking notification socket: `ws://HOST/__mock/socket?token=TOKEN`.

A client authenticated with its token (query `token`, or an Authorization/Key/AUTHENTICATION
header) receives each of its own matches as JSON the moment it is made:
`{"type": "NETWORKING_MATCH", "eventurl": ..., "match": <NetworkingMatch>}`.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from accelevents_mock.api.credentials import token_from_headers
from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import ApiError
from accelevents_mock.runtime.state import MockState

UNAUTHORIZED_CLOSE_CODE = 4401


def socket_route(state: MockState) -> WebSocketRoute:
    async def endpoint(websocket: WebSocket) -> None:
        token = websocket.query_params.get("token") or token_from_headers(websocket.headers)
        await websocket.accept()
        await state.sync()  # the world may have been reset by another worker
        try:
            user = state.service.authenticate(token)
        except ApiError as exc:
            case = catalogue.lookup(exc.scenario, "listSessions") or catalogue.BAD_REQUEST
            await websocket.send_json({"type": "ERROR", **case.body(exc.developer_message)})
            await websocket.close(UNAUTHORIZED_CLOSE_CODE)
            return
        queue = state.notifier.subscribe(user.id)
        await websocket.send_json({"type": "CONNECTED", "userId": user.id})
        try:
            await _pump(websocket, queue)
        finally:
            state.notifier.unsubscribe(user.id, queue)

    return WebSocketRoute("/__mock/socket", endpoint)


async def _pump(websocket: WebSocket, queue: asyncio.Queue) -> None:
    """Forward notices until the client goes away (its messages are read and ignored)."""

    async def forward() -> None:
        while True:
            await websocket.send_json(await queue.get())

    async def drain() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return

    tasks = [asyncio.create_task(forward()), asyncio.create_task(drain())]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in done:
        if not task.cancelled() and task.exception() and \
                not isinstance(task.exception(), WebSocketDisconnect):
            raise task.exception()  # type: ignore[misc]
