"""The validating proxy: forwards API calls to a real deployment, judges every exchange against
openapi.yaml, and falls back to the mock's own world (issue 18)."""
