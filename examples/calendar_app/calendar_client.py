"""A tiny stand-in for a team's own code that calls the Accelevents API."""

from __future__ import annotations

import httpx


class SessionFull(Exception):
    pass


class AgendaClient:
    def __init__(self, client: httpx.Client, eventurl: str, token: str) -> None:
        self.client, self.eventurl = client, eventurl
        self.headers = {"Authorization": token}

    def workshops(self) -> list[dict]:
        response = self.client.get(f"/events/{self.eventurl}/session",
                                   params={"sessionFormat": "WORKSHOP", "size": 100},
                                   headers=self.headers)
        response.raise_for_status()
        return response.json()["data"]

    def book(self, session_id: int) -> None:
        response = self.client.post(f"/events/{self.eventurl}/session/{session_id}/register",
                                    headers=self.headers)
        if response.status_code == 406 and response.json()["errorCode"] == "4062001":
            raise SessionFull(response.json()["errorMessage"])
        response.raise_for_status()

    def my_sessions(self) -> list[int]:
        response = self.client.get(f"/events/{self.eventurl}/user-session/registered",
                                   headers=self.headers)
        response.raise_for_status()
        return [s["sessionId"] for s in response.json()["data"]]
