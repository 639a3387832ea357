"""`flask evaluate PROFILE.json` without Flask: read profiles, print results as JSON, exit 2 on bad input."""

import json
import sys
from typing import Any, TextIO

from pipeline.domain.eligibility import evaluate
from pipeline.domain.profile import ProfileError, loads, parse_profile

EXIT_OK = 0
EXIT_INVALID = 2


class _ItemError(Exception):
    """An invalid profile inside a list; the message names the item."""


def run_evaluate(path: str, stdout: TextIO, stderr: TextIO, stdin: TextIO | None = None) -> int:
    """Evaluate the profile (or list of profiles) in path ('-' = stdin); return the exit status."""
    try:
        data = loads(_read(path, stdin or sys.stdin))
        results = _evaluate_all(data)
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(stderr, f"无法读取 {path}（cannot read {path}）: {exc}")
    except json.JSONDecodeError as exc:
        return _fail(stderr, f"{path} 不是合法的 JSON（invalid JSON）: {exc}")
    except ProfileError as exc:
        return _fail(stderr, f"档案无效（invalid profile）: {exc}")
    except _ItemError as exc:
        return _fail(stderr, str(exc))
    stdout.write(json.dumps(results, ensure_ascii=False, indent=2 if isinstance(results, dict) else None))
    stdout.write("\n")
    return EXIT_OK


def _read(path: str, stdin: TextIO) -> str:
    if path == "-":
        return stdin.read()
    with open(path, encoding="utf-8-sig") as handle:
        return handle.read()


def _evaluate_all(data: Any) -> dict | list:
    if not isinstance(data, list):
        return evaluate(parse_profile(data))
    results = []
    for index, item in enumerate(data):
        try:
            results.append(evaluate(parse_profile(item)))
        except ProfileError as exc:
            raise _ItemError(f"第 {index + 1} 个档案无效（invalid profile at index {index}）: {exc}") from None
    return results


def _fail(stderr: TextIO, message: str) -> int:
    stderr.write(f"error: {message}\n")
    return EXIT_INVALID
