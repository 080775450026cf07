"""Amazon Chime-shaped meetings and attendees, derived (not stored) from seed, session and user:
every attendee of a session gets the same meeting, and a user always gets the same attendee.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from accelevents_mock.domain.bodies import ChimeAttendeeBody, ChimeMeetingBody

NAMESPACE = uuid.UUID("6f1c9a52-8d0e-4c57-9d8e-1a2b3c4d5e6f")
REGION = "us-east-1"


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def meeting(seed: int, key: int | str, external_id: str | None = None) -> ChimeMeetingBody:
    """The meeting for `key`: a session id (workshops) or a networking pair's key."""
    meeting_id = _uuid("meeting", seed, key)
    host = f"{meeting_id[:8]}.k.m1.ue1.app.chime.aws"
    base = f"https://{host}"
    return {
        "MeetingId": meeting_id,
        "ExternalMeetingId": external_id or f"session-{key}",
        "MediaRegion": REGION,
        "MediaPlacement": {
            "AudioHostUrl": f"{host}:3478",
            "AudioFallbackUrl": f"wss://haxrp.m1.ue1.app.chime.aws:443/calls/{meeting_id}",
            "SignalingUrl": f"wss://signal.m1.ue1.app.chime.aws/control/{meeting_id}",
            "TurnControlUrl": "https://ccp.cp.ue1.app.chime.aws/v2/turn_sessions",
            "ScreenDataUrl": f"wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/{meeting_id}",
            "ScreenSharingUrl": f"wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/{meeting_id}",
            "ScreenViewingUrl": f"wss://bitpw.m1.ue1.app.chime.aws:443/ws/connect?passcode=null"
                                f"&viewer_uuid=null&X-BitHub-Call-Id={meeting_id}",
            "EventIngestionUrl": f"{base}/meetings/{meeting_id}/events",
        },
    }


def attendee(seed: int, key: int | str, user_id: int, full_name: str) -> ChimeAttendeeBody:
    """The user's attendee in the meeting for `key` (stable per user and meeting)."""
    attendee_id = _uuid("attendee", seed, key, user_id)
    secret = hashlib.sha256(f"{seed}:{key}:{user_id}".encode()).digest()
    token = base64.b64encode(attendee_id.encode() + b":" + secret[:24]).decode()
    return {"ExternalUserId": full_name[:64], "AttendeeId": attendee_id, "JoinToken": token}
