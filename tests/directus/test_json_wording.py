"""Bad JSON bodies are worded exactly as Node 20's JSON.parse + body-parser's strict mode.

The port in ``jsonbody.py`` is compared with the machine's Node.js on every truncation and a
set of corruptions of realistic bodies (Node is needed anyway for the SDK test).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from authmock.flavours.directus.jsonbody import BodyError, parse_body

# body-parser 1.x's json parser (strict mode) around Node's own JSON.parse
NODE_SCRIPT = r"""
const cases = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const FIRST = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;
function parse(str) {
  if (str.length === 0) return 'OK';
  const m = FIRST.exec(str); const first = m ? m[1] : undefined;
  if (first !== '{' && first !== '[') {
    const index = str.indexOf(first); let partial = '';
    if (index !== -1) {
      partial = str.substring(0, index) + '#';
      for (let i = index + 1; i < str.length; i++) partial += '#';
    }
    try { JSON.parse(partial); return 'strict violation'; }
    catch (e) { return e.message.replace(/#+/g, (p) => str.substring(index, index + p.length)); }
  }
  try { JSON.parse(str); return 'OK'; } catch (e) { return e.message; }
}
console.log(JSON.stringify(cases.map(parse)));
"""

LINE_COLUMN = re.compile(r" \(line \d+ column \d+\)$")

BODIES = [
    '{"email":"admin@example.com","password":"password","mode":"json"}',
    '{ "email" : "h\\u00e9llo@example.com", "otp": "123456", "n": [1, -2.5e+3, true, false, null] '
    '}',
    '[{"a":{"b":[0.5,"x\\"y\\\\z"]}}]',
    '{"ünïcödé":"😀 emoji","esc":"\\n\\t\\/"}',
    '  {"a":-0,"b":1E5}  ',
]
CORRUPTIONS = [
    "}",
    "]",
    ",",
    ":",
    '"',
    "x",
    "-",
    "0",
    "01",
    ".",
    "e",
    "\\",
    "\\u12",
    "\t",
    "\x01",
    "😀",
    " ",
    "{",
    "[",
]


def _cases() -> list[str]:
    cases: list[str] = []
    for body in BODIES:
        cases.extend(body[:cut] for cut in range(1, len(body)))
        for position in range(0, len(body), 3):
            for bad in CORRUPTIONS:
                cases.append(body[:position] + bad + body[position:])
                cases.append(body[:position] + bad + body[position + 1 :])
    cases.extend(
        ["null", "true", "123", '"s"', "   ", "\n", "x" * 40, "   nul", "NaN", "undefined"]
    )
    return sorted(set(cases))


def _mine(text: str) -> str:
    try:
        parse_body("application/json", None, text.encode("utf-8"))
    except BodyError as exc:
        return exc.reason
    return "OK"


def test_every_case_matches_node(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; this check needs Node.js 20")
    cases = _cases()
    source = tmp_path / "cases.json"
    source.write_text(json.dumps(cases), encoding="utf-8")
    script = tmp_path / "parse.js"
    script.write_text(NODE_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [node, str(script), str(source)], capture_output=True, text=True, check=True
    )
    # Node 22+ appends " (line L column C)" to positional messages; Directus 11.17.4 was
    # observed on Node 20, whose wording authmock reproduces, so that suffix is set aside
    expected: list[Any] = [LINE_COLUMN.sub("", m) for m in json.loads(result.stdout)]
    mismatches = [
        (case, want, _mine(case))
        for case, want in zip(cases, expected, strict=True)
        if _mine(case) != want
    ]
    assert len(cases) > 1000
    assert mismatches[:10] == []
