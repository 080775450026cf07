"""Keeping a live target and its secrets safe: the request throttle, the one redactor that
masks tokens and personal data in anything written, and the log filter built on it."""
