#!/usr/bin/env python3
"""labgym agent-computer interface: every file viewer, search and edit command the agent types (stdlib only).

Protocol with the bash functions of aci.sh: the shell's state arrives in environment variables (CURRENT_FILE,
CURRENT_LINE, WINDOW, OVERLAP, SCROLL_COUNT, ACI_LAST_COMMAND, LAST_ACTION), the command name and its arguments in
argv, and the text of edit / insert / str_replace on stdin. The observation goes to stdout; the updated state goes to
file descriptor 3 as quoted bash assignments, which the shell function evals in the agent's shell.

Output strings and window formulas follow MLGym's tools (reference_mlgym.md sections 2.2 and 2.3) byte for byte.
"""

from __future__ import annotations

import math
import mimetypes
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass

LINT_SELECT = "F821,F822,F831,E111,E112,E113,E999,E902"
RULE = "-" * 49
SCROLLS = ("scroll_up", "scroll_down")
SCROLL_WARNING_AFTER = 3
OPEN_WITH_LINE_MAX_CHARS = 20000
SEARCH_MAX_RESULTS = 100
STR_REPLACE_SEPARATOR = "replace_with"
NO_FILE = "No file open. Use the open command first."
NO_FILE_FOR_EDIT = "No file open. Use the `open` command first."
FILE_UPDATED = (
    "File updated. Please review the changes and make sure they are correct "
    "(correct indentation, no duplicate lines, etc). Edit the file again if necessary."
)
DIGITS = re.compile(r"[0-9]+")


class CommandFailed(Exception):
    """Ends a command early; the message has already been printed. Carries the exit status."""

    def __init__(self, status: int = 0) -> None:
        super().__init__(status)
        self.status = status


# ---------------------------------------------------------------------------------------------------------------
# State and output


def _number(text: str | None, default: int) -> float:
    """A state variable as a number: an int when it is whole, the default when it is unset or not a number."""
    try:
        value = float(text) if text else float(default)
    except ValueError:
        return default
    if not math.isfinite(value):
        return default
    return int(value) if value.is_integer() else value


def format_number(value: float) -> str:
    """Print a number the way jq does: integers without a decimal point."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass
class State:
    current_file: str
    current_line: float
    window: int
    overlap: int
    scroll_count: int
    last_command: str
    last_action: str

    @classmethod
    def from_environment(cls) -> "State":
        env = os.environ
        window = int(_number(env.get("WINDOW"), 1000))
        return cls(
            current_file=env.get("CURRENT_FILE", ""),
            current_line=_number(env.get("CURRENT_LINE"), 0),
            window=window if window > 0 else 1000,
            overlap=int(_number(env.get("OVERLAP"), 2)),
            scroll_count=int(_number(env.get("SCROLL_COUNT"), 0)),
            last_command=env.get("ACI_LAST_COMMAND", ""),
            last_action=env.get("LAST_ACTION", "").strip(),
        )

    def assignments(self) -> str:
        values = {
            "CURRENT_FILE": self.current_file,
            "CURRENT_LINE": format_number(self.current_line),
            "SCROLL_COUNT": str(self.scroll_count),
            "ACI_LAST_COMMAND": self.last_command,
        }
        return "".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items())


class Output:
    """The observation, collected line by line and written once at the end."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, *lines: str) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


# ---------------------------------------------------------------------------------------------------------------
# Files


def read_text(path: str) -> str:
    # newline="" keeps \r\n as it is; surrogateescape keeps bytes that are not UTF-8.
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        return handle.read()


def write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        handle.write(text)


def split_lines(text: str) -> list[str]:
    """Lines as awk and grep count them: a last line without a newline still counts."""
    if text == "":
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def join_lines(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def is_image(path: str) -> bool:
    if shutil.which("file"):
        result = subprocess.run(["file", "-b", "--mime-type", path], capture_output=True, text=True)
        return "image" in result.stdout
    guess = mimetypes.guess_type(path)[0]
    return bool(guess and guess.startswith("image/"))


# ---------------------------------------------------------------------------------------------------------------
# The window: _constrain_line and _print


def constrain_line(line: float, total: int, window: int) -> float:
    half = math.floor(window / 2)
    return max(min(line, total - half), half)


def print_window(out: Output, path: str, lines: list[str], line: float, window: int) -> None:
    total = len(lines)
    out.say(f"[File: {os.path.realpath(path)} ({total} lines total)]")
    above = math.floor(max(0, line - window / 2))
    below = math.floor(max(0, total - line - window / 2) + 0.5)  # jq's round: halves go up
    if above > 0:
        out.say(f"({above} more lines above)")
    head = lines[: math.floor(max(line + window / 2, window / 2))]
    first = max(0, len(head) - window) if window > 0 else len(head)
    out.say(*(f"{number}:{text}" for number, text in enumerate(head[first:], start=first + 1)))
    if below > 0:
        out.say(f"({below} more lines below)")


def show_current(out: Output, state: State, lines: list[str]) -> None:
    state.current_line = constrain_line(state.current_line, len(lines), state.window)
    print_window(out, state.current_file, lines, state.current_line, state.window)


def load_current(out: Output, state: State, no_file_message: str = NO_FILE) -> list[str]:
    if not state.current_file:
        out.say(no_file_message)
        raise CommandFailed()
    if not os.path.isfile(state.current_file):
        out.say(f"File {state.current_file} not found")
        raise CommandFailed()
    return split_lines(read_text(state.current_file))


# ---------------------------------------------------------------------------------------------------------------
# Viewer commands


def cmd_open(out: Output, state: State, args: list[str]) -> None:
    if not args or args[0] == "":
        out.say('Usage: open "<file>"')
        return
    path = args[0]
    if os.path.isfile(path):
        if is_image(path):
            out.say(f"Error: {path} is an image file. Current environment does not support image viewing.")
            return
    elif os.path.isdir(path):
        out.say(f"Error: {path} is a directory. You can only open files. Use cd or ls to navigate directories.")
        return
    else:
        out.say(f"File {path} not found")
        return
    lines = split_lines(read_text(path))
    window = state.window
    if len(args) > 1 and args[1] != "":
        requested = args[1]
        if not DIGITS.fullmatch(requested):
            out.say('Usage: open "<file>" [<line_number>]', "Error: <line_number> must be a number")
            return
        if os.path.getsize(path) > OPEN_WITH_LINE_MAX_CHARS:
            out.say(
                f"The file is larger than {OPEN_WITH_LINE_MAX_CHARS} characters, "
                "please use 'head -n NUM_LINES' to open it"
            )
            return
        number, max_line = int(requested), len(lines)
        if number > max_line:
            out.say(
                f"Warning: <line_number> ({requested}) is greater than the number of lines in the file ({max_line})",
                f"Warning: Setting <line_number> to {max_line}",
            )
            line: float = max_line
        elif number < 1:
            out.say(f"Warning: <line_number> ({requested}) is less than 1", "Warning: Setting <line_number> to 1")
            line = 1
        else:
            line = math.floor(max(number + window / 2 - math.floor(window / 6), 1))
    else:
        line = window / 2
    state.current_file = os.path.realpath(path)
    state.current_line = line
    show_current(out, state, lines)


def cmd_goto(out: Output, state: State, args: list[str]) -> None:
    if len(args) > 1:
        out.say("goto allows only one line number at a time.")
        return
    if not state.current_file:
        out.say(NO_FILE)
        return
    if not args or args[0] == "":
        out.say("Usage: goto <line>")
        return
    if not DIGITS.fullmatch(args[0]):
        out.say("Usage: goto <line>", "Error: <line> must be a number")
        return
    lines = load_current(out, state)
    number = int(args[0])
    if number > len(lines):
        out.say(f"Error: <line> must be less than or equal to {len(lines)}")
        return
    window = state.window
    state.current_line = math.floor(max(number + window / 2 - math.floor(window / 6), 1))
    show_current(out, state, lines)


def cmd_scroll(out: Output, state: State, direction: str) -> None:
    previous_was_scroll = state.last_command in SCROLLS and (not state.last_action or state.last_action in SCROLLS)
    lines = load_current(out, state)
    step = state.window - state.overlap
    state.current_line += step if direction == "scroll_down" else -step
    show_current(out, state, lines)
    state.scroll_count = state.scroll_count + 1 if previous_was_scroll else 1
    if state.scroll_count >= SCROLL_WARNING_AFTER:
        out.say(
            "",
            "WARNING: Scrolling many times in a row is very inefficient.",
            "If you know what you are looking for, use `search_file <pattern>` instead.",
            "",
        )


def cmd_create(out: Output, state: State, args: list[str]) -> None:
    if not args or args[0] == "":
        out.say("Usage: create <filename>")
        return
    path = args[0]
    if os.path.exists(path):
        out.say(f"Error: File '{path}' already exists.")
        cmd_open(out, state, [path])
        return
    try:
        write_text(path, "\n")
    except OSError as error:
        out.say(f"Error: could not create {path}: {error.strerror}")
        raise CommandFailed(1) from error
    cmd_open(out, state, [path])


# ---------------------------------------------------------------------------------------------------------------
# Search commands


def _search_directory(out: Output, args: list[str], usage: str) -> tuple[str, str]:
    if len(args) == 1:
        term, directory = args[0], "./"
    elif len(args) == 2:
        term, directory = args
        if not os.path.isdir(directory):
            out.say(f"Directory {directory} not found")
            raise CommandFailed()
    else:
        out.say(usage)
        raise CommandFailed()
    return term, os.path.realpath(directory)


def _run_lines(argv: list[str]) -> list[str]:
    """stdout lines of a command; its stderr (unreadable files and the like) passes through to the agent."""
    result = subprocess.run(argv, stdout=subprocess.PIPE)
    return [line for line in result.stdout.decode("utf-8", "surrogateescape").split("\n") if line]


def cmd_search_dir(out: Output, state: State, args: list[str]) -> None:
    term, directory = _search_directory(out, args, "Usage: search_dir <search_term> [<dir>]")
    counts: dict[str, int] = {}
    # MLGym: find <dir> -type f ! -path '*/.*' -exec grep -nIH -- <term> {} +, counted per file.
    grep = ["grep", "-cIH", "--", term, "{}", "+"]
    for line in _run_lines(["find", directory, "-type", "f", "!", "-path", "*/.*", "-exec", *grep]):
        path, _, count = line.rpartition(":")
        if count.isdigit() and int(count) > 0:
            counts[path] = counts.get(path, 0) + int(count)
    if not counts:
        out.say(f'No matches found for "{term}" in {directory}')
        return
    if len(counts) > SEARCH_MAX_RESULTS:
        out.say(f'More than {len(counts)} files matched for "{term}" in {directory}. Please narrow your search.')
        return
    out.say(f'Found {sum(counts.values())} matches for "{term}" in {directory}:')
    out.say(*(f"{path} ({counts[path]} matches)" for path in sorted(counts)))
    out.say(f'End of matches for "{term}" in {directory}')


def cmd_search_file(out: Output, state: State, args: list[str]) -> None:
    usage = "Usage: search_file <search_term> [<file>]"
    if not args or args[0] == "":
        out.say(usage)
        return
    if len(args) > 1 and args[1] != "":
        if not os.path.isfile(args[1]):
            out.say(usage, f"Error: File name {args[1]} not found. Please provide a valid file name.")
            return
        path = args[1]
    elif not state.current_file:
        out.say(NO_FILE)
        return
    else:
        path = state.current_file
    term, path = args[0], os.path.realpath(path)
    matches = []
    for line in _run_lines(["grep", "-n", "--", term, path]):
        number, _, text = line.partition(":")
        if number.isdigit():
            matches.append((number, text))
    if not matches:
        out.say(f'No matches found for "{term}" in {path}')
        return
    if len(matches) > SEARCH_MAX_RESULTS:
        out.say(f'More than {len(matches)} lines matched for "{term}" in {path}. Please narrow your search.')
        return
    out.say(f'Found {len(matches)} matches for "{term}" in {path}:')
    out.say(*(f"Line {number}:{text}" for number, text in matches))
    out.say(f'End of matches for "{term}" in {path}')


def cmd_find_file(out: Output, state: State, args: list[str]) -> None:
    name, directory = _search_directory(out, args, "Usage: find_file <file_name> [<dir>]")
    # Sorted, unlike MLGym's raw `find` order, so that the same tree always gives the same observation.
    matches = sorted(_run_lines(["find", directory, "-type", "f", "-name", name]))
    if not matches:
        out.say(f'No matches found for "{name}" in {directory}')
        return
    out.say(f'Found {len(matches)} matches for "{name}" in {directory}:', *matches)


# ---------------------------------------------------------------------------------------------------------------
# Lint gate: flake8 before and after, new errors only


@dataclass(frozen=True)
class LintError:
    filename: str
    line: int | None  # None: a line flake8 printed that is not an error report
    column: int
    problem: str

    @classmethod
    def parse(cls, text: str) -> "LintError":
        prefix, separator, problem = text.partition(": ")
        parts = prefix.rsplit(":", 2)
        if separator and len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            return cls(parts[0], int(parts[1]), int(parts[2]), problem)
        return cls("", None, 0, text)


def run_flake8(path: str) -> list[LintError]:
    executable = shutil.which("flake8")
    command = [executable] if executable else [sys.executable, "-m", "flake8"]
    result = subprocess.run(
        [*command, "--isolated", f"--select={LINT_SELECT}", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = result.stdout.decode("utf-8", "surrogateescape")
    return [LintError.parse(line.strip()) for line in output.split("\n") if line.strip()]


def new_lint_problems(
    before: list[LintError], after: list[LintError], window: tuple[int, int], n_lines: int
) -> list[str]:
    """Errors after the change that were not there before. Errors before the change that lay below the replaced
    lines move by the number of lines added; errors inside the replaced lines are never taken as old ones."""
    start, end = window
    lines_added = n_lines - (end - start + 1)
    known = set()
    for error in before:
        if error.line is None or error.line < start:
            known.add(error)
        elif error.line > end:
            known.add(LintError(error.filename, error.line + lines_added, error.column, error.problem))
    return [f"- {error.problem}" for error in after if error not in known]


@dataclass
class Change:
    """A change to the open file: what it replaces, for the lint filter and for the failure views."""

    noun: str  # "edit" or "insertion", as the messages say it
    new_lines: list[str]
    window: tuple[int, int]  # replaced lines, 1-based inclusive, as _split_string takes them
    n_lines: int  # lines that replace them
    success_line: float
    preview: tuple[int, int]  # (CURRENT_LINE, WINDOW) of "would have looked"
    original: tuple[int, int]  # (CURRENT_LINE, WINDOW) of "the original code"
    closing: tuple[str, str, str]


def require_writable(out: Output, path: str) -> None:
    if not os.access(path, os.W_OK):
        out.say(f"Error: You cannot edit read-only file {path}")
        raise CommandFailed(1)


def apply_change(out: Output, state: State, original_text: str, change: Change) -> None:
    """Write the change; keep it if flake8 finds no new error, otherwise show both views and restore the file."""
    path = state.current_file
    linted = path.endswith(".py")
    before = run_flake8(path) if linted else []
    write_text(path, join_lines(change.new_lines))
    problems = new_lint_problems(before, run_flake8(path), change.window, change.n_lines) if linted else []
    if not problems:
        state.current_line = change.success_line
        show_current(out, state, change.new_lines)
        out.say(FILE_UPDATED)
        return
    verb = "editing" if change.noun == "edit" else "inserting into"
    out.say(
        f"Your proposed {change.noun} has introduced new syntax error(s). "
        f"Please read this error message carefully and then retry {verb} the file.",
        "",
        "ERRORS:",
        *problems,
        "",
        f"This is how your {change.noun} would have looked if applied",
        RULE,
    )
    line, window = change.preview
    print_window(out, path, change.new_lines, constrain_line(line, len(change.new_lines), window), window)
    out.say(RULE, "")
    write_text(path, original_text)
    original_lines = split_lines(original_text)
    out.say(f"This is the original code before your {change.noun}", RULE)
    line, window = change.original
    print_window(out, path, original_lines, constrain_line(line, len(original_lines), window), window)
    out.say(RULE, *change.closing)


def _half(count: int) -> int:
    """bash's $(( count / 2 )): integer division towards zero."""
    return int(count / 2)


def read_stdin_lines() -> list[str]:
    return split_lines(sys.stdin.buffer.read().decode("utf-8", "surrogateescape"))


# ---------------------------------------------------------------------------------------------------------------
# Edit commands


def cmd_edit(out: Output, state: State, args: list[str]) -> None:
    if not state.current_file:
        out.say(NO_FILE_FOR_EDIT)
        return
    fields = ((args[0] if args else "") + ":").split(":")
    start_text, end_text = fields[0], fields[1]
    if not start_text or not end_text:
        out.say("Usage: edit <start_line>:<end_line>")
        return
    for name, value in (("start_line", start_text), ("end_line", end_text)):
        if not DIGITS.fullmatch(value):
            out.say("Usage: edit <start_line>:<end_line>", f"Error: {name} must be a number")
            return
    replacement = read_stdin_lines()
    lines = load_current(out, state, NO_FILE_FOR_EDIT)
    require_writable(out, state.current_file)
    # MLGym's variables: start is 0-based from here on, end stays 1-based and inclusive.
    start, end, count = max(int(start_text) - 1, 0), int(end_text), len(replacement)
    change = Change(
        noun="edit",
        new_lines=lines[:start] + replacement + lines[end:],
        window=(start + 1, end),
        n_lines=count,
        success_line=start,
        preview=(_half(count) + start, count + 10),
        original=(_half(end - start + 1) + start, end - start + 10),
        closing=(
            "Your changes have NOT been applied. Please fix your edit command and try again.",
            "You either need to 1) Specify the correct start/end line arguments or 2) Correct your edit code.",
            "DO NOT re-run the same failed edit command. Running it again will lead to the same error.",
        ),
    )
    apply_change(out, state, read_text(state.current_file), change)


def cmd_insert(out: Output, state: State, args: list[str]) -> None:
    if not state.current_file:
        out.say(NO_FILE_FOR_EDIT)
        return
    requested = " ".join(args[:1]).strip()
    if not requested:
        out.say("Usage: insert <line_number>")
        return
    if not DIGITS.fullmatch(requested):
        out.say("Usage: insert <line_number>", "Error: line_number must be a number")
        return
    added = read_stdin_lines()
    lines = load_current(out, state, NO_FILE_FOR_EDIT)
    require_writable(out, state.current_file)
    after, count = int(requested), len(added)
    change = Change(
        noun="insertion",
        new_lines=lines[:after] + added + lines[after:],
        # Nothing is replaced: an empty window, so errors below the insertion move down by `count` lines.
        # (MLGym passes the window after+1..after+count here, which never moves them.)
        window=(after + 1, after),
        n_lines=count,
        success_line=after + 1,
        preview=(after + _half(count), count + 10),
        original=(after, 10),
        closing=(
            "Your changes have NOT been applied. Please fix your insert command and try again.",
            "You either need to 1) Specify the correct line number argument or 2) Correct your insertion code.",
            "DO NOT re-run the same failed insert command. Running it again will lead to the same error.",
        ),
    )
    apply_change(out, state, read_text(state.current_file), change)


def _occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every occurrence, overlapping ones included."""
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def cmd_str_replace(out: Output, state: State, args: list[str]) -> None:
    if not state.current_file:
        out.say(NO_FILE_FOR_EDIT)
        return
    body = read_stdin_lines()
    if STR_REPLACE_SEPARATOR not in body:
        out.say(
            f"Error: str_replace needs the old text, then a line with only {STR_REPLACE_SEPARATOR}, then the new text, "
            "then a line with only end_of_str_replace."
        )
        raise CommandFailed(1)
    split = body.index(STR_REPLACE_SEPARATOR)
    old, new = "\n".join(body[:split]), "\n".join(body[split + 1 :])
    if old == "":
        out.say("Error: the old text is empty. Give the exact lines to replace before the replace_with line.")
        raise CommandFailed(1)
    lines = load_current(out, state, NO_FILE_FOR_EDIT)
    path = state.current_file
    require_writable(out, path)
    text = read_text(path)
    found = _occurrences(text, old)
    if not found:
        out.say(
            f"Error: the old text was not found in {path}. No changes were made. "
            "It must match the file exactly, including indentation and blank lines."
        )
        raise CommandFailed(1)
    if len(found) > 1:
        out.say(
            f"Error: the old text was found {len(found)} times in {path}. No changes were made. "
            "Include more of the surrounding lines so that it matches exactly once."
        )
        raise CommandFailed(1)
    at = found[0]
    new_lines = split_lines(text[:at] + new + text[at + len(old) :])
    first = text.count("\n", 0, at) + 1  # 1-based lines the old text touches
    last = first + old.count("\n")
    count = (last - first + 1) + (len(new_lines) - len(lines))
    start = first - 1
    change = Change(
        noun="edit",
        new_lines=new_lines,
        window=(first, last),
        n_lines=count,
        success_line=start,
        preview=(_half(count) + start, count + 10),
        original=(_half(last - start + 1) + start, last - start + 10),
        closing=(
            "Your changes have NOT been applied. Please fix your str_replace command and try again.",
            "You either need to 1) Specify the correct old text or 2) Correct your new text.",
            "DO NOT re-run the same failed str_replace command. Running it again will lead to the same error.",
        ),
    )
    apply_change(out, state, text, change)


# ---------------------------------------------------------------------------------------------------------------
# Entry point


COMMANDS = {
    "open": cmd_open,
    "goto": cmd_goto,
    "scroll_down": lambda out, state, args: cmd_scroll(out, state, "scroll_down"),
    "scroll_up": lambda out, state, args: cmd_scroll(out, state, "scroll_up"),
    "create": cmd_create,
    "search_dir": cmd_search_dir,
    "search_file": cmd_search_file,
    "find_file": cmd_find_file,
    "edit": cmd_edit,
    "insert": cmd_insert,
    "str_replace": cmd_str_replace,
}


def write_state(state: State) -> None:
    try:
        os.write(3, state.assignments().encode("utf-8", "surrogateescape"))
    except OSError:
        pass  # run by hand, without the shell function: there is no state to hand back


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in COMMANDS:
        sys.stderr.write(f"aci.py: expected one of {', '.join(COMMANDS)}\n")
        return 2
    name, args = argv[1], argv[2:]
    state, out, status = State.from_environment(), Output(), 0
    try:
        COMMANDS[name](out, state, args)
    except CommandFailed as failure:
        status = failure.status
    except OSError as error:  # unreadable file, vanished directory: say so instead of a traceback
        out.say(f"Error: {error.filename}: {error.strerror}" if error.filename else f"Error: {error}")
        status = 1
    if name not in SCROLLS:
        state.scroll_count = 0
    state.last_command = name
    sys.stdout.flush()
    sys.stdout.buffer.write(out.text().encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    write_state(state)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
