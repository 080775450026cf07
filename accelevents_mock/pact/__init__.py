"""Consumer contracts (Pact) both ways: the mock's traffic exported as a pact (`export`), the mock
as the provider a pact is verified against (`states`, the state-change URL), and a consumer's
pact checked against openapi.yaml with nothing running (`check`). See docs/pact.md."""
