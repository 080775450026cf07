"""openapi.yaml is valid, carries the documents' samples unchanged, and documents every error of
the catalogue (and nothing else) with the documents' exact wording."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from connexion.spec import Specification
from openapi_spec_validator import validate

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.schema import conformance_errors
from accelevents_mock.contract.spec import load, operations, response_examples
from tests.node import run_tool

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "fixtures" / "samples").glob("*.json"))
REQUIRED_OPERATIONS = {
    "listSessions", "getSession", "joinWorkshopSession", "registerForSession",
    "unregisterFromSession", "getRegisteredSessions", "setNetworkingAvailability",
    "getNetworkingMatches", "getHostSession", "getSessionAnalytics",
}
SAMPLE_LIMIT = 2  # the session-limit example fills {number_of_sessions_permitted} with 2


def test_spec_passes_openapi_spec_validator() -> None:
    validate(load())


def test_spec_passes_connexions_own_check() -> None:
    """The server hands Connexion the spec unchecked (accelevents_mock/api/connexion_compat.py): it is
    checked here, by the check Connexion would run on every start."""
    Specification.from_dict(copy.deepcopy(load()))  # raises InvalidSpecification


def test_every_required_operation_is_in_the_spec() -> None:
    assert set(operations()) >= REQUIRED_OPERATIONS


def test_packaged_spec_is_the_repository_spec() -> None:
    packaged = ROOT / "accelevents_mock" / "openapi.yaml"
    assert packaged.read_bytes() == (ROOT / "openapi.yaml").read_bytes()


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_validates_against_its_operation(sample: Path) -> None:
    operation = sample.name.split(".")[0]
    body = json.loads(sample.read_text(encoding="utf-8"))
    assert conformance_errors(operation, 200, body) == []


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_is_a_named_example_unchanged(sample: Path) -> None:
    operation, name = sample.stem.split(".")
    assert response_examples()[operation][200][name] == json.loads(sample.read_text("utf-8"))


def test_samples_were_extracted_from_the_documents() -> None:
    assert {p.stem for p in SAMPLES} == {
        "listSessions.workshop", "listSessions.regular", "listSessions.networking"}


ERROR_ROWS = [(case, op) for case in catalogue.CATALOGUE for op in case.operations]


@pytest.mark.parametrize("case", catalogue.CATALOGUE, ids=lambda c: f"{c.scenario}-{c.message[:20]}")
def test_every_case_is_an_example_of_some_operation(case: catalogue.ErrorCase) -> None:
    # Operations come from the spec's examples: a case no example shows applies nowhere.
    assert case.operations, f"openapi.yaml has no {case.status} example named {case.scenario!r}"


def test_a_spec_example_no_case_explains_stops_the_import() -> None:
    changed = replace(catalogue.CATALOGUE[8], message="Another message")  # capacity-reached
    cases = tuple(c for c in catalogue.CATALOGUE if c.scenario != changed.scenario) + (changed,)
    with pytest.raises(catalogue.CatalogueMismatch, match="capacity-reached"):
        catalogue._applied(cases)


@pytest.mark.parametrize("case,operation", ERROR_ROWS,
                         ids=[f"{op}-{c.status}-{c.scenario}" for c, op in ERROR_ROWS])
def test_documented_error_is_an_example_of_its_operation(case: catalogue.ErrorCase,
                                                         operation: str) -> None:
    examples = response_examples()[operation].get(case.status, {})
    assert case.scenario in examples, f"{operation} lacks {case.status} example {case.scenario}"
    example = examples[case.scenario]
    assert example["errorCode"] == case.code
    assert example["errorMessage"] == case.render(number_of_sessions_permitted=SAMPLE_LIMIT)
    assert conformance_errors(operation, case.status, example) == []


def test_spec_has_no_error_example_outside_the_catalogue() -> None:
    for operation, by_status in response_examples().items():
        for status, named in by_status.items():
            if status < 400:
                continue
            for name in named:
                assert catalogue.lookup(name, operation), f"{operation} {status} {name} not catalogued"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


DOCUMENTED = [c for c in catalogue.CATALOGUE if c.source]


@pytest.mark.parametrize("case", DOCUMENTED, ids=lambda c: f"{c.scenario}-{c.message[:20]}")
def test_documented_message_is_verbatim_in_its_document(case: catalogue.ErrorCase) -> None:
    document = _normalise((ROOT / case.source).read_text(encoding="utf-8"))
    assert _normalise(case.message) in document


@pytest.mark.parametrize("case", [c for c in catalogue.CATALOGUE if not c.source],
                         ids=lambda c: c.scenario)
def test_undocumented_message_says_why(case: catalogue.ErrorCase) -> None:
    assert case.inferred or case.url, "a case without a document must cite a page or a reason"


def _walk(node: object, path: str = ""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_every_inferred_part_gives_a_reason() -> None:
    inferred = [(p, n) for p, n in _walk(load()) if n.get("x-inferred") is True]
    assert inferred, "the spec must mark what it infers"
    missing = [p for p, n in inferred if not n.get("x-inferred-reason")]
    assert missing == []


def test_every_operation_cites_a_page_or_is_marked_inferred() -> None:
    for operation_id, op in operations().items():
        operation = op.definition
        assert operation.get("x-source") or operation.get("x-inferred"), operation_id


def test_spec_lists_the_mock_and_the_public_api_as_servers() -> None:
    urls = [server["url"] for server in load()["servers"]]
    assert urls == ["http://127.0.0.1:8080/rest", "https://api.accelevents.com/rest"]


def test_links_chain_list_detail_register_registered_unregister() -> None:
    ops = operations()

    def linked(op: str) -> set[str]:
        return {link["operationId"] for link in ops[op].definition["responses"]["200"]["links"].values()}

    assert "getSession" in linked("listSessions")
    assert "registerForSession" in linked("getSession")
    assert "getRegisteredSessions" in linked("registerForSession")
    assert "unregisterFromSession" in linked("getRegisteredSessions")


def test_spectral_oas_ruleset_finds_no_error() -> None:
    """Stoplight Spectral with its `spectral:oas` ruleset (.spectral.yaml), as frontend teams lint."""
    result = run_tool("spectral", "lint", "openapi.yaml", "--format", "json", "--quiet",
                      "--fail-severity", "error")
    findings = json.loads(result.stdout or "[]")
    errors_found = [f"{f['code']} at {'.'.join(map(str, f['path']))}: {f['message']}"
                    for f in findings if f["severity"] == 0]
    assert not errors_found, errors_found
    assert result.returncode == 0, result.stderr
