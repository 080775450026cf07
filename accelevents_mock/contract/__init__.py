"""What the mock, its tests and the contract harness all read: the one model of the contract.

- `spec`: openapi.yaml, loaded once, and its operations.
- `schema`: does a response body conform to the spec?
- `catalogue`: every documented error, with typed scenario names; which operations each applies
  to is read from the spec's own examples.
- `cases`: the named session cases and fixed tokens of the documents, listed once.
- `flows`: how to drive any target into each documented error by a real flow.
- `verdicts`: whether one response keeps the documented contract (used by the harness's checks
  and by the validating proxy).

Nothing here imports the server, the world or the harness: they import this.
"""
