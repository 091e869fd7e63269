"""Every refusal and phrase Hall can say has a stable code, an English and a Chinese message.

Every module of `hall` is imported, so that every stage's refusals and phrases are registered
(hall.text.PHRASES; the refusals are the hall.errors.Refusal among them). Each is rendered in
Chinese from the catalog the pages use, with a sample value for each of its parameters, and
must read as Chinese. docs/refusals.md lists the refusal codes; it is checked here, and
rewritten by `python -m tests.test_refusals` when a stage adds or changes one.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import hall
from hall.config import PROJECT_ROOT
from hall.errors import Refusal
from hall.text import PHRASES, Phrase, untranslated
from tests.languages import catalog, foreign_words, translator

HALL = PROJECT_ROOT / "hall"
DOC = PROJECT_ROOT / "docs" / "refusals.md"
CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
PLACEHOLDER = re.compile(r"%\((\w+)\)([sdif])")
SAMPLES = {"s": "甲方案", "d": 3, "i": 3, "f": 1.5}
DEFINERS = {"invalid", "conflict", "forbidden", "not_found", "unauthenticated", "phrase"}
LEGACY_CONSTRUCTORS = {"HallError", "Invalid", "Conflict", "Forbidden", "NotFound"}
LEGACY_CONSTRUCTORS |= {"Unauthenticated"}
# The order the stages are documented in: the kernel, then each stage after those it builds on.
STAGES = ("errors", "community", "ledger", "realtime", "issues", "voting", "council")
STAGES += ("publicity", "web")


def import_every_module() -> dict[str, str]:
    """Import all of `hall`; returns the modules that would not import, with their error."""
    failures = {}
    for module in pkgutil.walk_packages(hall.__path__, "hall.", onerror=lambda name: None):
        try:
            importlib.import_module(module.name)
        except Exception as error:  # noqa: BLE001  (every failure is reported, not the first)
            failures[module.name] = f"{type(error).__name__}: {error}"
    return failures


IMPORT_FAILURES = import_every_module()


@dataclass(frozen=True)
class Definition:
    code: str
    path: Path
    line: int


def python_files() -> list[Path]:
    return sorted(HALL.rglob("*.py"))


def definitions() -> list[Definition]:
    """Where each code is defined in the source: a definer (`conflict("code", ...)`,
    `phrase("code", ...)`) called with the code as a literal, or as a name the module holds
    (`conflict(Refusal.WRONG_STATE.value, ...)`, the lifecycle's own codes)."""
    found = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called_name(node) in DEFINERS and node.args:
                code = _code_named(node.args[0], path)
                if code is not None:
                    found.append(Definition(code, path, node.lineno))
    return found


def _code_named(argument: ast.expr, path: Path) -> str | None:
    if isinstance(argument, ast.Constant):
        return argument.value if isinstance(argument.value, str) else None
    names = argument
    while isinstance(names, ast.Attribute):
        names = names.value
    if not isinstance(names, ast.Name):
        return None
    module = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    namespace = vars(sys.modules[module]) if module in sys.modules else {}
    try:
        value = eval(ast.unparse(argument), dict(namespace))  # a dotted name, nothing more
    except Exception:  # noqa: BLE001  (a name of a function's scope: not a definition here)
        return None
    return value if isinstance(value, str) else None


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def sample_parameters(template: str) -> dict:
    return {name: SAMPLES[kind] for name, kind in PLACEHOLDER.findall(template)}


def refusals() -> dict[str, Refusal]:
    return {code: p for code, p in PHRASES.items() if isinstance(p, Refusal)}


def _described(phrase: Phrase) -> str:
    return f"{phrase.code} ({phrase.template!r})"


# The registry -----------------------------------------------------------------------------------


def test_every_module_of_hall_imports():
    assert not IMPORT_FAILURES, "modules that do not import, so their refusals are unknown:\n  " + (
        "\n  ".join(f"{name}: {error}" for name, error in IMPORT_FAILURES.items())
    )


def test_the_stages_define_their_refusals():
    assert len(refusals()) > 60, "hardly any refusal is registered"


def test_codes_are_snake_case_words():
    badly_named = [code for code in PHRASES if not CODE.fullmatch(code)]
    assert not badly_named, f"codes that are not snake_case words: {badly_named}"


def test_each_code_is_defined_once_in_the_source():
    places: dict[str, list[str]] = {}
    for definition in definitions():
        where = f"{definition.path.relative_to(PROJECT_ROOT)}:{definition.line}"
        places.setdefault(definition.code, []).append(where)
    twice = {code: where for code, where in places.items() if len(where) > 1}
    assert not twice, f"codes defined more than once: {twice}"
    unregistered = sorted(set(places) - set(PHRASES))
    assert not unregistered, f"defined in a module that did not register them: {unregistered}"


def test_no_refusal_is_a_legacy_one():
    legacy = [code for code in PHRASES if code.startswith("legacy_")]
    assert not legacy, f"legacy codes registered: {legacy}"


def test_no_module_raises_an_english_sentence():
    """The old constructor, `Invalid("English", {...})`, is the one way to raise a refusal
    without a code: no module of Hall calls a refusal class itself."""
    calls: list = []
    for path in python_files():
        if path == HALL / "errors.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hall_errors = _names_imported_from_hall_errors(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not (node.args or node.keywords):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in hall_errors:
                name = func.id
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "errors"
                and func.attr in LEGACY_CONSTRUCTORS
            ):
                name = f"errors.{func.attr}"
            else:
                continue
            calls.append((path.relative_to(PROJECT_ROOT), node.lineno, name))
    calls = [f"{path}:{line} {name}(...)" for path, line, name in sorted(calls)]
    assert not calls, f"{len(calls)} refusals raised as English sentences:\n  " + "\n  ".join(calls)


def _names_imported_from_hall_errors(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "hall.errors":
            for alias in node.names:
                if alias.name in LEGACY_CONSTRUCTORS:
                    names.add(alias.asname or alias.name)
    return names


def test_the_legacy_bridge_is_gone():
    source = (HALL / "errors.py").read_text(encoding="utf-8")
    assert "LEGACY-REFUSAL" not in source, "hall/errors.py still accepts English sentences"


# Messages in both languages ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def chinese():
    return catalog("zh_CN")


@pytest.fixture(scope="module")
def english():
    return catalog("en")


def test_every_code_has_an_english_message(english):
    missing = []
    for phrase in PHRASES.values():
        entry = english.get(phrase.template)
        if entry is None or not entry.string:
            missing.append(_described(phrase))
    assert not missing, "not in en/messages.po (run scripts/translations):\n  " + "\n  ".join(
        missing
    )


def test_every_code_has_a_chinese_message(chinese):
    missing = []
    for phrase in PHRASES.values():
        entry = chinese.get(phrase.template)
        if entry is None or entry.fuzzy or not entry.string:
            missing.append(_described(phrase))
        elif entry.string == phrase.template and foreign_words(
            PLACEHOLDER.sub(" ", phrase.template)
        ):
            missing.append(f"{_described(phrase)}: its English copied as its Chinese")
    assert not missing, (
        "without Chinese in zh_Hans_CN/messages.po (add them to /tmp/hall-zh/<name>.json and "
        "run scripts/translations):\n  " + "\n  ".join(missing)
    )


def test_every_message_renders_with_its_parameters_in_both_languages(chinese):
    failures = []
    for translate in (untranslated, translator(chinese)):
        for phrase in PHRASES.values():
            try:
                phrase.render(translate, sample_parameters(phrase.template))
            except (KeyError, ValueError, TypeError) as error:
                failures.append(f"{_described(phrase)}: {type(error).__name__} {error}")
    assert not failures, "messages that do not render:\n  " + "\n  ".join(failures)


def test_every_chinese_message_reads_as_chinese(chinese):
    translate = translator(chinese)
    english_words = []
    for phrase in PHRASES.values():
        try:
            text = phrase.render(translate, sample_parameters(phrase.template))
        except (KeyError, ValueError, TypeError):
            continue  # the test above names it
        words = foreign_words(text)
        if words:
            english_words.append(f"{phrase.code}: {', '.join(words)} in {text!r}")
    assert not english_words, "Chinese messages with Latin-script words or internal keys:\n  " + (
        "\n  ".join(english_words)
    )


# The documented list ----------------------------------------------------------------------------


def stage_of(path: Path) -> str:
    relative = path.relative_to(HALL)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def documented_table() -> str:
    """The code list of docs/refusals.md, as the registry has it now: one table per stage,
    in the order the stages build on each other, each code where its stage defines it."""
    defined = {}
    for definition in definitions():
        defined.setdefault(definition.code, definition)
    registered = refusals()
    known = [defined[code] for code in registered if code in defined]
    known.sort(key=lambda d: (_stage_rank(stage_of(d.path)), str(d.path), d.line))
    lines = []
    current = None
    for definition in known:
        where = str(definition.path.relative_to(PROJECT_ROOT))
        if where != current:
            current = where
            if lines:
                lines.append("")
            lines += [f"### `{where}`", "", "| Code | Status | Fields | Message |"]
            lines.append("| --- | --- | --- | --- |")
        refusal = registered[definition.code]
        fields = ", ".join(f"`{name}`" for name in refusal.fields)
        message = refusal.template.replace("|", "\\|")
        lines.append(f"| `{refusal.code}` | {refusal.status} | {fields} | {message} |")
    elsewhere = sorted(set(registered) - set(defined))
    if elsewhere:
        lines += ["", "### Defined elsewhere", "", "| Code | Status | Fields | Message |"]
        lines.append("| --- | --- | --- | --- |")
        for code in elsewhere:
            refusal = registered[code]
            fields = ", ".join(f"`{name}`" for name in refusal.fields)
            lines.append(f"| `{code}` | {refusal.status} | {fields} | {refusal.template} |")
    return "\n".join(lines) + "\n"


def _stage_rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


BEGIN = "<!-- The code list: written by `python -m tests.test_refusals`; do not edit by hand. -->"
END = "<!-- End of the code list. -->"


def documented_now() -> str:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"{DOC} lost the markers around its code list"
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def test_the_documented_code_list_is_the_registry():
    expected = documented_table()
    assert documented_now() == expected, (
        "docs/refusals.md does not list the refusals Hall has; run `python -m "
        "tests.test_refusals` to rewrite it. The list should read:\n\n" + expected
    )


def rewrite_the_documented_list() -> None:
    text = DOC.read_text(encoding="utf-8")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{BEGIN}\n\n{documented_table()}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    if IMPORT_FAILURES:
        sys.exit("modules that do not import:\n  " + "\n  ".join(IMPORT_FAILURES))
    rewrite_the_documented_list()
    print(f"{DOC.relative_to(PROJECT_ROOT)}: {len(refusals())} refusal codes")
