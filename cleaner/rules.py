"""Rule files: load, validate, and refuse anything broken before a document is touched.

A rule file is TOML with optional file-wide defaults (``category``, ``sites``,
``langs``) and a ``[[rule]]`` array. Every error names the file, the rule id and
the field, because a rule author with fifty files must find the line at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from .document import KINDS

RULE_KINDS = ("block", "span", "section", "tail", "dom", "detector")

# Parameters a detector accepts, with defaults. Detectors live in repeats.py and
# corpus.py; declaring their parameters here lets a rule file be checked without
# importing the passes.
DETECTOR_PARAMS: dict[str, dict[str, Any]] = {
    "repeated_line": {"min_count": 3, "max_chars": 100, "min_words": 2, "max_words": 14},
    "pull_quote": {"min_words": 6, "attribution_max_words": 6, "attribution_max_chars": 60},
}

# Defaults by kind for the optional knobs; a key not listed for a kind is refused.
KIND_OPTIONS: dict[str, dict[str, Any]] = {
    # block: the whole (stripped) block must match; only blocks up to max_chars are tried.
    "block": {"max_chars": 300, "kinds": None},
    # span: the matched piece is cut out; a block left with no letters or digits goes too.
    "span": {"kinds": None},
    # section: a trigger block and what belongs to it: the list right after it,
    # or up to max_blocks short headline-like lines ("list"), or the next max_blocks blocks.
    "section": {"max_chars": 120, "takes": "list", "max_blocks": 20, "kinds": None},
    # tail: a trigger block and everything after it, if that is at most max_fraction
    # of the document's characters (a comment prompt near the end, not a word mid-article).
    "tail": {"max_chars": 120, "max_fraction": 0.5, "kinds": None},
    "dom": {},
    "detector": {"params": None},
}
SECTION_TAKES = ("list", "next")

COMMON_KEYS = {"id", "category", "description", "kind", "sites", "langs", "remove", "keep",
               "enabled", "case_sensitive", "pattern", "selector", "detector", "note"}
FILE_KEYS = {"category", "sites", "langs", "rule"}
ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)+")
BACKREF_RE = re.compile(r"\\[1-9]|\(\?P=")


class RuleError(ValueError):
    """A rule file that cannot be used; the message names file, rule and field."""

    def __init__(self, file: str, rule: str | None, fld: str | None, message: str):
        self.file, self.rule, self.field = file, rule, fld
        where = file
        if rule:
            where += f": rule {rule!r}"
        if fld:
            where += f": field {fld!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Example:
    """Text a rule must act on (``remove``) or leave alone (``keep``).

    ``clean``, when given, is the exact output expected from ``text``.
    """

    text: str
    clean: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    description: str
    kind: str
    file: str
    pattern: str | None = None
    selector: str | None = None
    detector: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    sites: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    remove: tuple[Example, ...] = ()
    keep: tuple[Example, ...] = ()
    case_sensitive: bool = False
    enabled: bool = True

    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern or "", 0 if self.case_sensitive else re.IGNORECASE)

    def opt(self, name: str) -> Any:
        return self.options[name]


def _str_list(value: Any, file: str, rid: str | None, fld: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(file, rid, fld, "must be a string or a list of non-empty strings")
    return tuple(v.lower() for v in value)


def _examples(value: Any, file: str, rid: str, fld: str) -> tuple[Example, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RuleError(file, rid, fld, "must be a list of strings or {text, clean} tables")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(Example(item))
        elif isinstance(item, dict) and set(item) <= {"text", "clean"} and isinstance(
                item.get("text"), str) and isinstance(item.get("clean", ""), str):
            out.append(Example(item["text"], item.get("clean")))
        else:
            raise RuleError(file, rid, fld, f"bad example {item!r}: a string or {{text, clean}}")
    return tuple(out)


def _check_pattern(pattern: Any, file: str, rid: str, fld: str, case_sensitive: bool) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise RuleError(file, rid, fld, "must be a non-empty regular expression")
    if BACKREF_RE.search(pattern):
        raise RuleError(file, rid, fld, "backreferences are not supported (patterns are combined)")
    try:
        re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
        re.compile(f"(?:{pattern})|x")  # it must also work inside the combined pattern
    except re.error as exc:
        raise RuleError(file, rid, fld, f"invalid regex: {exc}") from None
    if re.compile(pattern).match(""):
        raise RuleError(file, rid, fld, "pattern matches the empty string")
    return pattern


def _check_selector(selector: Any, file: str, rid: str) -> str:
    from cssselect import GenericTranslator, SelectorError

    if not isinstance(selector, str) or not selector.strip():
        raise RuleError(file, rid, "selector", "must be a non-empty CSS selector")
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise RuleError(file, rid, "selector", f"invalid CSS selector: {exc}") from None
    return selector


def parse_rule(raw: Any, file: str, defaults: dict[str, Any]) -> Rule:
    """One ``[[rule]]`` table → a checked Rule (or RuleError)."""
    if not isinstance(raw, dict):
        raise RuleError(file, None, "rule", "each [[rule]] must be a table")
    rid = raw.get("id")
    if not isinstance(rid, str) or not ID_RE.fullmatch(rid):
        raise RuleError(file, str(rid) if rid else None, "id",
                        "required: dotted lower-case id such as 'caption.pic-credit'")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RuleError(file, rid, "enabled", "must be true or false")
    if not enabled and set(raw) <= {"id", "enabled", "note"}:
        # A bare switch-off of a default rule: `{id = "...", enabled = false}`.
        return Rule(id=rid, category="", description="", kind="block", file=file, enabled=False)

    kind = raw.get("kind")
    if kind not in RULE_KINDS:
        raise RuleError(file, rid, "kind", f"must be one of {', '.join(RULE_KINDS)}")
    allowed = COMMON_KEYS | set(KIND_OPTIONS[kind])
    for key in raw:
        if key not in allowed:
            raise RuleError(file, rid, key, f"unknown key for a {kind} rule")

    category = raw.get("category", defaults.get("category"))
    if not isinstance(category, str) or not category:
        raise RuleError(file, rid, "category", "required (on the rule or at the top of the file)")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise RuleError(file, rid, "description", "required: say why this is noise")
    case_sensitive = raw.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise RuleError(file, rid, "case_sensitive", "must be true or false")

    options = dict(KIND_OPTIONS[kind])
    for key in KIND_OPTIONS[kind]:
        if key in raw:
            options[key] = raw[key]
    pattern = selector = detector = None
    if kind in ("block", "span", "section", "tail"):
        pattern = _check_pattern(raw.get("pattern"), file, rid, "pattern", case_sensitive)
        for key in ("max_chars", "max_blocks"):
            if key in options and (not isinstance(options[key], int) or options[key] < 1):
                raise RuleError(file, rid, key, "must be a positive whole number")
        if options.get("kinds") is not None:
            kinds = _str_list(options["kinds"], file, rid, "kinds")
            if bad := [k for k in kinds if k not in KINDS]:
                raise RuleError(file, rid, "kinds", f"unknown block kind {bad[0]!r}; use {KINDS}")
            options["kinds"] = frozenset(kinds)
        if kind == "section" and options["takes"] not in SECTION_TAKES:
            raise RuleError(file, rid, "takes", f"must be one of {SECTION_TAKES}")
        if kind == "tail":
            frac = options["max_fraction"]
            if not isinstance(frac, (int, float)) or not 0 < frac <= 1:
                raise RuleError(file, rid, "max_fraction", "must be a number in (0, 1]")
    elif kind == "dom":
        selector = _check_selector(raw.get("selector"), file, rid)
    else:
        detector = raw.get("detector")
        if detector not in DETECTOR_PARAMS:
            raise RuleError(file, rid, "detector", f"must be one of {', '.join(DETECTOR_PARAMS)}")
        params = dict(DETECTOR_PARAMS[detector])
        given = raw.get("params", {})
        if not isinstance(given, dict):
            raise RuleError(file, rid, "params", "must be a table")
        for key, value in given.items():
            if key not in params:
                raise RuleError(file, rid, f"params.{key}", f"unknown parameter of {detector}")
            if type(value) is not type(params[key]) and not (
                    isinstance(value, (int, float)) and isinstance(params[key], (int, float))):
                raise RuleError(file, rid, f"params.{key}", f"must be like {params[key]!r}")
            params[key] = value
        options = {"params": params}
    for key in ("pattern", "selector", "detector"):
        if key in raw and {"pattern": pattern, "selector": selector, "detector": detector}[key] is None:
            raise RuleError(file, rid, key, f"not used by a {kind} rule")

    sites = _str_list(raw["sites"], file, rid, "sites") if "sites" in raw else tuple(
        defaults.get("sites", ()))
    langs = _str_list(raw["langs"], file, rid, "langs") if "langs" in raw else tuple(
        defaults.get("langs", ()))
    remove = _examples(raw.get("remove"), file, rid, "remove")
    keep = _examples(raw.get("keep"), file, rid, "keep")
    if not remove:
        raise RuleError(file, rid, "remove", "at least one example of text the rule removes")
    if not keep:
        raise RuleError(file, rid, "keep", "at least one example of text the rule must keep")
    return Rule(id=rid, category=category, description=description.strip(), kind=kind,
                file=file, pattern=pattern, selector=selector, detector=detector,
                options=options, sites=sites, langs=langs, remove=remove, keep=keep,
                case_sensitive=case_sensitive, enabled=enabled)


def parse_file(text: str, file: str, implied_site: str | None = None) -> list[Rule]:
    """A whole rule file → its rules, checked; duplicate ids inside it are refused."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(file, None, None, f"bad TOML: {exc}") from None
    for key in data:
        if key not in FILE_KEYS:
            raise RuleError(file, None, key, "unknown top-level key (expected category, sites, "
                                             "langs and [[rule]] tables)")
    defaults: dict[str, Any] = {}
    if "category" in data:
        if not isinstance(data["category"], str):
            raise RuleError(file, None, "category", "must be a string")
        defaults["category"] = data["category"]
    for key in ("sites", "langs"):
        if key in data:
            defaults[key] = _str_list(data[key], file, None, key)
    if implied_site and "sites" not in defaults:
        defaults["sites"] = (implied_site,)
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise RuleError(file, None, "rule", "must be an array of tables: [[rule]]")
    rules = [parse_rule(raw, file, defaults) for raw in raw_rules]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(file, rule.id, "id", "duplicate id in this file")
        seen.add(rule.id)
    return rules


def _rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.toml") if p.is_file())
    if path.is_file():
        return [path]
    raise RuleError(str(path), None, None, "no such rule file or folder")


def _site_of(path: Path) -> str | None:
    """``rules/sites/example.com.toml`` applies to example.com unless it says otherwise."""
    return path.stem.lower() if path.parent.name == "sites" else None


def load_layer(paths: Iterable[Path]) -> list[Rule]:
    """Rules from files or folders; an id defined twice in one layer is an error."""
    rules: list[Rule] = []
    where: dict[str, str] = {}
    for path in paths:
        for file in _rule_files(Path(path)):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise RuleError(str(file), None, None, f"cannot read: {exc}") from None
            for rule in parse_file(text, str(file), _site_of(file)):
                if rule.id in where:
                    raise RuleError(str(file), rule.id, "id",
                                    f"duplicate id (also in {where[rule.id]})")
                where[rule.id] = str(file)
                rules.append(rule)
    return rules


def default_rules_dir() -> Path:
    """Where the shipped rules are: ``rules/`` in a checkout, installed as a package."""
    return Path(str(resources.files("cleaner.default_rules")))


def default_rules() -> list[Rule]:
    root = default_rules_dir()
    return load_layer([p for p in (root / "generic", root / "sites") if p.is_dir()])


def load_rules(user_paths: Iterable[Path] = (), use_defaults: bool = True) -> list[Rule]:
    """Defaults, then user files: a user rule with a default's id replaces it (or,
    with ``enabled = false``, switches it off). Order is kept: it decides ties."""
    merged: dict[str, Rule] = {}
    if use_defaults:
        for rule in default_rules():
            merged[rule.id] = rule
    for rule in load_layer(user_paths):
        merged[rule.id] = rule
    return [r for r in merged.values() if r.enabled]
