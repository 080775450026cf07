"""Names for the JSON bodies the API answers, after the openapi.yaml schemas they must match.

They are plain dicts (built once, encoded by orjson); the name tells a reader which schema of
`components/schemas` a function's result has, and tests check every answer against that schema
(`accelevents_mock/contract/schema.py`).
"""

from __future__ import annotations

from typing import Any

Body = dict[str, Any]
SessionBody = Body  # Session
SessionPageBody = Body  # SessionPage
SpeakerBody = Body  # Speaker
TrackBody = Body  # Track
SponsorBody = Body  # Sponsor
SessionStatsBody = Body  # SessionStats
HolderBody = Body  # RegisteredHolderUser
JoinBody = Body  # JoinSessionResponse
ChimeMeetingBody = Body  # ChimeMeeting
ChimeAttendeeBody = Body  # ChimeAttendee
MatchBody = Body  # NetworkingMatch
