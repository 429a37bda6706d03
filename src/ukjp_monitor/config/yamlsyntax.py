"""Syntax errors in a YAML file as ``LINE: not valid YAML: ...``, pointing at
the mistake rather than where the parser gave up."""

from __future__ import annotations

import yaml

# Something left open is best reported where it was opened, not where the
# parser gave up (often the next line, or the end of the file).
_UNCLOSED = {
    "while scanning a quoted scalar": "the quoted text that starts here is never closed",
    "while parsing a flow sequence": "the [ list that starts here is not closed",
    "while parsing a flow mapping": "the { mapping that starts here is not closed",
}


def syntax_problem(exc: yaml.MarkedYAMLError, text: str, loader: type) -> str:
    """``LINE: not valid YAML: ...`` for a syntax error."""
    problem, mark = exc.problem or "a syntax error", exc.problem_mark or exc.context_mark
    if mark is None:
        return f"1: not valid YAML: {problem}"
    opened = _UNCLOSED.get(exc.context or "")
    if opened and exc.context_mark is not None:
        found = f"line {mark.line + 1}: {problem}"
        return f"{exc.context_mark.line + 1}: not valid YAML: {opened} ({found})"
    start = _runaway_quote(text, mark, loader)
    if start is not None:
        return (
            f"{start}: not valid YAML: the quoted text that starts here runs on to line "
            f"{mark.line + 1}; is its closing quote missing? ({problem})"
        )
    return f"{mark.line + 1}: not valid YAML: {problem}"


def _runaway_quote(text: str, mark: yaml.Mark, loader: type) -> int | None:
    """The first line of a quoted text that spans lines and closes on the line the
    parser gave up on: a closing quote forgotten, and found only in later text."""
    last = None
    try:
        for token in yaml.scan(text, Loader=loader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in {'"', "'"}:
                last = token
    except yaml.YAMLError:
        pass
    if last is None or last.start_mark.line == last.end_mark.line:
        return None
    return last.start_mark.line + 1 if last.end_mark.line == mark.line else None
