"""What every benchmark script does last: name failed bars, write the JSON, pick the exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def finish(payload: dict[str, Any], failed: list[str], json_out: str | None, check: bool) -> int:
    for line in failed:
        print(f"BAR FAILED: {line}")
    if json_out:
        text = json.dumps({**payload, "bars_failed": failed}, indent=2)
        if json_out == "-":
            print(text)
        else:
            Path(json_out).write_text(text + "\n", encoding="utf-8")
    return 1 if check and failed else 0
