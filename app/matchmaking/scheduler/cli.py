"""Scheduler: cli."""

from __future__ import annotations

import json
import sys
from typing import Any

from .batch import schedule
from .problem import ProblemError, _one_line, parse_problem

# --------------------------------------------------------------------------- command line


def main(stdin: Any = None, stdout: Any = None, stderr: Any = None) -> int:
    """Read a problem on stdin, write the result on stdout; 2 and one line on stderr if invalid."""
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        problem = parse_problem(json.loads(stdin.read()))
    except (ValueError, RecursionError) as exc:
        # ProblemError, JSONDecodeError and UnicodeDecodeError are all ValueErrors.
        kind = "" if isinstance(exc, ProblemError) else "malformed JSON: "
        print(f"invalid problem: {kind}{_one_line(exc)}", file=stderr)
        return 2
    json.dump(schedule(problem).to_json(), stdout)
    stdout.write("\n")
    return 0
