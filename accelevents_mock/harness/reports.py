"""Writing what a run saw: the coverage matrix (JSON + HTML), the traffic as HAR, and the
property findings. Everything here is built from already-redacted records."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from accelevents_mock.harness import coverage
from accelevents_mock.harness.traffic import Exchange

COVERAGE_JSON = "error-coverage.json"
COVERAGE_HTML = "error-coverage.html"
HAR_FILE = "traffic.har"
FINDINGS_JSON = "findings.json"
SHORT_URL = 60  # characters of a request shown in a cell; the whole one is in its tooltip
SHORT_SEGMENT = 16  # a longer path segment or query value is cut to this
LEGEND = (("seen", "&#10003;", "the target answered this documented error; the request is shown"),
          ("wrong", "wrong message", "same status and code, another message"),
          ("blocked", "needs --allow-...", "this run was not allowed the calls that reach it"),
          ("missing", "&#10007;", "documented, never seen in this run"),
          ("na", "", "not documented for this operation"))


def write_all(report_dir: Path, *, traffic: list[Exchange], header: dict[str, Any],
              findings: list[dict[str, Any]], writes: bool = True,
              irreversible: bool = True) -> dict[str, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    rows = coverage.matrix(traffic, writes=writes, irreversible=irreversible)
    paths = {
        "coverage_json": report_dir / COVERAGE_JSON,
        "coverage_html": report_dir / COVERAGE_HTML,
        "har": report_dir / HAR_FILE,
        "findings": report_dir / FINDINGS_JSON,
    }
    paths["coverage_json"].write_text(json.dumps(
        {**header, "summary": coverage.summary(rows), "rows": [r.as_dict() for r in rows]}, indent=2))
    paths["coverage_html"].write_text(coverage_html(rows, header))
    paths["har"].write_text(json.dumps(har(traffic), indent=1))
    paths["findings"].write_text(json.dumps({**header, "findings": findings}, indent=2))
    return paths


def coverage_html(rows: list[coverage.Row], header: dict[str, Any]) -> str:
    """A matrix: operations down, documented errors across, each cell seen or not."""
    e = html.escape
    operations = list(dict.fromkeys(r.operation for r in rows))
    columns = list(dict.fromkeys((r.status, r.code, r.scenario) for r in rows))
    cell = {(r.operation, (r.status, r.code, r.scenario)): r for r in rows}
    head = "".join(f"<th title='{e(s)}'>{st}<br>{e(c)}<br><small>{e(s)}</small></th>"
                   for st, c, s in columns)
    body = []
    for op in operations:
        tds = []
        for col in columns:
            row = cell.get((op, col))
            if row is None:
                tds.append("<td class='na'></td>")
            elif row.observed:
                request = row.request or ""
                tds.append(f"<td class='seen' title='{e(request[:500])}'>&#10003;<br>"
                           f"<small>{e(short(request))}</small></td>")
            elif row.blocked:
                tds.append(f"<td class='blocked' title='{e(row.message)}'>{e(row.blocked)}</td>")
            elif row.wrong_message:
                tds.append(f"<td class='wrong' title='expected: {e(row.message)}'>wrong message<br>"
                           f"<small>{e(row.wrong_message)}</small></td>")
            else:
                tds.append(f"<td class='missing' title='{e(row.message)}'>&#10007;</td>")
        body.append(f"<tr><th>{e(op)}</th>{''.join(tds)}</tr>")
    stats = coverage.summary(rows)
    legend = "".join(f"<tr><td class='{kind}'>{mark}</td><td>{e(text)}</td></tr>"
                     for kind, mark, text in LEGEND)
    meta = " &middot; ".join(f"{e(str(k))}: {e(str(v))}" for k, v in header.items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Error-code coverage</title>
<style>body{{font-family:sans-serif}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px;font-size:12px;vertical-align:top}}
.seen{{background:#d4f7d4}} .missing{{background:#fde0e0}} .wrong{{background:#ffe9a8}} .na{{background:#eee}}
.blocked{{background:#dde8ff}} small{{color:#555;word-break:break-all}}</style></head><body>
<h1>Error-code coverage</h1><p>{meta}</p>
<table class='legend'><tr><th colspan='2'>legend</th></tr>{legend}</table>
<p>{stats['observed']} of {stats['documented']} documented (operation, error) pairs observed;
{stats['wrong_message']} seen with a different message.</p>
<table><tr><th>operation</th>{head}</tr>{''.join(body)}</table></body></html>"""


def short(request: str) -> str:
    """`GET /events/xxxxxxxx.../session?size=...`: a request line a cell can hold."""
    method, _, target = request.partition(" ")
    path, _, query = target.partition("?")
    cut = "/".join(_cut(part) for part in path.split("/"))
    names = "&".join(f"{name}=..." for name, _ in parse_qsl(query, keep_blank_values=True))
    line = f"{method} {cut}" + (f"?{names}" if names else "")
    return line if len(line) <= SHORT_URL else line[: SHORT_URL - 3] + "..."


def _cut(text: str) -> str:
    return text if len(text) <= SHORT_SEGMENT else text[: SHORT_SEGMENT - 3] + "..."


def har(traffic: Iterable[Exchange]) -> dict[str, Any]:
    """HTTP Archive 1.2 of the (redacted) traffic."""
    entries = []
    for x in traffic:
        query = parse_qsl(urlsplit(x.url).query, keep_blank_values=True)
        entries.append({
            "startedDateTime": x.started, "time": x.elapsed_ms,
            "comment": f"{x.source} {x.operation or ''}".strip(),
            "request": {"method": x.method, "url": x.url, "httpVersion": "HTTP/1.1", "cookies": [],
                        "headers": [{"name": k, "value": v} for k, v in x.request_headers.items()],
                        "queryString": [{"name": k, "value": v} for k, v in query],
                        **({"postData": {"mimeType": "application/json", "text": x.request_body}}
                           if x.request_body else {}),
                        "headersSize": -1, "bodySize": len(x.request_body or "")},
            "response": {"status": x.status, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
                         "headers": [{"name": k, "value": v} for k, v in x.response_headers.items()],
                         "content": {"size": len(x.response_body), "text": x.response_body,
                                     "mimeType": x.response_headers.get("content-type", "")},
                         "redirectURL": "", "headersSize": -1, "bodySize": len(x.response_body)},
            "cache": {}, "timings": {"send": 0, "wait": x.elapsed_ms, "receive": 0},
        })
    return {"log": {"version": "1.2", "creator": {"name": "accelevents_mock.harness", "version": "1"},
                    "entries": entries}}
