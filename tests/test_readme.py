"""The shell examples of the README and of every page under docs/ work as pasted (the
convention: tests/readme_runner.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live import running_mock
from tests.readme_runner import REPO, Block, MarkdownError, Outcome, read_blocks, run_blocks

# Every page under docs/ is found here, so a new page is tested without being listed.
DOCUMENTS = ("README.md",
             *sorted(page.relative_to(REPO).as_posix() for page in (REPO / "docs").glob("*.md")))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_example_works_as_pasted(document: str, tmp_path: Path) -> None:
    blocks = read_blocks(REPO / document)
    runnable = [b for b in blocks if b.not_run is None]
    if not runnable:  # every block says why it cannot run (read_blocks checked the reasons)
        return
    with running_mock("--seed", "42") as live:  # fresh, as after `make run`: the order matters
        outcome = run_blocks(blocks, live.base_url, tmp_path)
    assert outcome.problems == [], "\n".join(outcome.problems)
    assert outcome.ran and not (tmp_path / "calls" / "failed").exists()


def promised_statuses(*documents: str) -> set[int | None]:
    return {c.expected.status for document in documents for b in read_blocks(REPO / document)
            if b.not_run is None for c in b.commands() if c.expected}


def test_the_docs_promise_results_and_keep_them() -> None:
    """The docs state what comes back, not only that something does: the README's tour a list,
    a registration and the documented refusals, the pages every kind of answer."""
    assert {200, 401, 406, 407} <= promised_statuses("README.md")
    assert {200, 400, 401, 404, 406, 407, 415} <= promised_statuses(*DOCUMENTS)


def test_every_page_under_docs_is_run() -> None:
    assert "docs/frontend.md" in DOCUMENTS and "docs/index.md" in DOCUMENTS


# -- the runner itself, on small documents, against one mock ---------------------------------

@pytest.fixture(scope="module")
def mock_url():
    with running_mock("--seed", "42") as live:
        yield live.base_url


def run_doc(text: str, mock_url: str, tmp_path: Path) -> Outcome:
    doc = tmp_path / "DOC.md"
    doc.write_text(text)
    return run_blocks(read_blocks(doc), mock_url, tmp_path / "run")


LIST = "curl -H 'Authorization: attendee-token' http://127.0.0.1:8080/rest/events/mock-event/session"
REGISTER = ("curl -i -X POST -H 'Authorization: attendee-token' "
            "http://127.0.0.1:8080/rest/events/mock-event/session/11001/register")


def test_a_block_that_keeps_its_promises_passes(mock_url: str, tmp_path: Path) -> None:
    outcome = run_doc(f"""
```sh
U=http://127.0.0.1:8080/rest/events/mock-event
```
Text between blocks.
```sh
curl -H 'Authorization: attendee-token' "$U/session"                  # → 200 "recordsTotal"
{REGISTER}  # → void 200
curl "$U/session" \\
     -H 'Authorization: unknown-token'                                 # → 401 "4010101"
for T in attendee-token networker-token; do curl -s -H "Authorization: $T" "$U/session" >/dev/null; done
```
""", mock_url, tmp_path)
    assert outcome.problems == []
    assert sorted(c.status for c in outcome.calls) == [200, 200, 200, 200, 401]


@pytest.mark.parametrize(("line", "complaint"), [
    (f"{LIST}   # → 406", "answered 200, the text says 406"),
    (f"{LIST}   # → 200 \"no such text\"", "promises 'no such text'"),
    (f"{LIST}   # → void 200", "the text says void"),
    (LIST.replace("attendee-token", "$ATTENDEE_TOKEN"), "answered 401, and the text promises no error"),
    ("echo no call here   # → 200", "made no HTTP call"),
    ("curl -s http://127.0.0.1:1/nothing-listens", "curl exited 7"),
])
def test_a_broken_promise_is_reported_at_its_line(line: str, complaint: str, mock_url: str,
                                                   tmp_path: Path) -> None:
    outcome = run_doc(f"# Doc\n\n```sh\n{line}\n```\n", mock_url, tmp_path)
    assert any(p.startswith("DOC.md:4:") and complaint in p for p in outcome.problems), \
        outcome.problems


def test_a_failing_command_stops_the_run_and_names_its_line(mock_url: str, tmp_path: Path) -> None:
    outcome = run_doc(f"```sh\ntrue\nfalse\n{LIST}\n```\n", mock_url, tmp_path)
    assert any(p.startswith("DOC.md:3: `false` failed (exit 1)") for p in outcome.problems), outcome.problems
    assert outcome.calls == []  # nothing after the failure ran


def test_a_command_that_never_ends_is_named(mock_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "DOC.md"
    doc.write_text("```sh\ntrue\nsleep 30   # a server in the foreground\n```\n")
    outcome = run_blocks(read_blocks(doc), mock_url, tmp_path / "run", timeout_s=1)
    assert len(outcome.problems) == 1
    assert outcome.problems[0].startswith("DOC.md:3: `sleep 30") and "not run" in outcome.problems[0]


def test_marked_blocks_are_skipped_and_the_mark_must_say_why(mock_url: str, tmp_path: Path) -> None:
    outcome = run_doc(f"<!-- not run: needs staging -->\n```sh\nfalse\n```\n\n```sh\n{LIST}\n```\n",
                      mock_url, tmp_path)
    assert outcome.problems == [] and len(outcome.calls) == 1
    (tmp_path / "bad.md").write_text("<!-- not run -->\n```sh\nfalse\n```\n")
    with pytest.raises(MarkdownError, match="must say why"):
        read_blocks(tmp_path / "bad.md")
    (tmp_path / "stray.md").write_text("<!-- not run: a reason -->\n\nA paragraph.\n```sh\nfalse\n```\n")
    with pytest.raises(MarkdownError, match="right before"):
        read_blocks(tmp_path / "stray.md")


def test_an_arrow_without_a_result_is_refused() -> None:
    block = Block(Path("DOC.md"), 1, ("curl x   # → somewhere else",), None)
    with pytest.raises(MarkdownError, match="after →"):
        block.commands()


@pytest.mark.parametrize("url", ["https://staging.example.com/rest", "http://10.0.0.5:8080/x",
                                 "ws://api.accelevents.com/socket"])
def test_a_block_naming_another_host_is_refused_before_anything_runs(url: str, tmp_path: Path) -> None:
    (tmp_path / "remote.md").write_text(f"```sh\ncurl {url}\n```\n")
    with pytest.raises(MarkdownError, match="not this machine"):
        read_blocks(tmp_path / "remote.md")
    (tmp_path / "marked.md").write_text(f"<!-- not run: needs staging -->\n```sh\ncurl {url}\n```\n"
                                        "```sh\ncurl http://127.0.0.1:8080/x http://localhost:1/\n```\n")
    assert [b.not_run for b in read_blocks(tmp_path / "marked.md")] == ["needs staging", None]
