"""Keys in a playbook are identifiers (snake_case, as stage keys are): a handoff field, a stage's exit or entry
criterion, a reject reason, the dormancy sequence. A key with a space, a trailing newline or anything else is
refused by the check with its line; a playbook stored by an older revdesk with such a key is refused when read,
with the key named and the way out, instead of crashing a screen later."""

from __future__ import annotations

import json
import time

import pytest

from revdesk.core.calls.scoring import fit_lines
from revdesk.core.common.errors import PlaybookError
from revdesk.core.playbook.check import parse_playbook
from revdesk.core.playbook.model import playbook_from_json, playbook_to_json
from revdesk.fixtures import DEFAULT_PLAYBOOK
from tests.naughty import naughty_strings
from tests.toml_strings import toml_string

SOURCE = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")


def _line_of(source: str, fragment: str) -> int:
    lines = [n for n, text in enumerate(source.splitlines(), start=1) if fragment in text]
    assert len(lines) == 1, (fragment, lines)
    return lines[0]


def _problems(source: str) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(source, "team.toml")
    return caught.value.problems


def _replace(old: str, new: str) -> str:
    assert SOURCE.count(old) == 1, old
    return SOURCE.replace(old, new)


@pytest.mark.parametrize(("old", "new", "where"), [
    ('{ key = "next_step", label = "Agreed next step" }', '{ key = "next step", label = "Agreed next step" }',
     "handoff.kinds[0].fields[5].key"),
    ('exit_criteria = ["primary_contact_id"]', 'exit_criteria = ["primary_contact_id", "next step"]',
     "stages[0].exit_criteria[1]"),
    ('entry_criteria = ["lost_reason"]', 'entry_criteria = ["Lost Reason"]', "stages[5].entry_criteria[0]"),
    ('key = "too_early"', 'key = "too early"', "handoff.reject_reasons[4].key"),
    ('sequence = "dormant_reengagement"', 'sequence = "dormant re-engagement"', "dormancy.sequence"),
    ('key = "voicemail"', 'key = "voicemail\\n"', "outcomes[1].key"),  # "$" let a trailing newline through
    ('{ key = "pain", label', '{ key = "p\\u00e4in", label', "handoff.kinds[0].fields[0].key"),
])
def test_a_key_that_is_not_an_identifier_is_refused_with_its_line(old, new, where):
    source = _replace(old, new)
    problems = _problems(source)
    assert len(problems) == 1, problems
    prefix = f"team.toml:{_line_of(source, new)}: {where}: "
    assert problems[0].startswith(prefix), (problems[0], prefix)
    assert "is not a key: use snake_case" in problems[0]


def test_an_overlong_key_is_refused_by_its_length():
    problems = _problems(_replace('key = "bad_fit"', f'key = "{"x" * 65}"'))
    assert len(problems) == 1 and "65 characters long; a key has at most 64" in problems[0]


@pytest.mark.parametrize(("old", "new", "where"), [
    ('start = "09:00"', 'start = "09:00\\n"', "working_hours.start"),
    ('start = "09:00"', 'start = "0\uff19:00"', "working_hours.start"),  # a full-width 9 is no time of day
    ('base = "EUR"', 'base = "EUR\\n"', "currency.base"),
])
def test_a_value_with_a_trailing_newline_or_foreign_digits_is_refused(old, new, where):
    problems = _problems(_replace(old, new))
    assert len(problems) == 1 and f": {where}: " in problems[0], problems


def test_a_playbook_stored_with_a_key_refused_since_is_refused_when_read():
    data = json.loads(json.dumps(playbook_to_json(parse_playbook(SOURCE, "playbook.toml"))))
    data["handoff"]["kinds"][0]["fields"][5]["key"] = "next step"  # as an older revdesk let it through
    with pytest.raises(PlaybookError) as caught:
        playbook_from_json(data)
    problems = caught.value.problems
    assert problems[0].startswith("the playbook in force: handoff.kinds[0].fields[5].key: 'next step' is not a key")
    assert "revdesk playbook apply FILE" in problems[-1]


def _with(source: str, items: list[str], quoted: str) -> str:
    for item in items:
        name, _, _value = item.rpartition(" = ")
        source = source.replace(item, f"{name} = {quoted}" if name else quoted, 1)
    return source


def test_the_naughty_strings_as_keys_and_words_never_raise_anything_but_playbook_error():
    """Every naughty string in every key and checked value, then in every free-text field (labels, names,
    placeholders, values): the check answers with its problems or a playbook, never another exception."""
    checked = ['key = "connected"', 'key = "pain"', 'kind = "sdr_ae"', 'follow_up = "+2d"', 'letter = "c"',
               'sequence = "dormant_reengagement"', 'start = "09:00"', 'base = "EUR"', '"lost_reason"']
    words = ['name = "Default playbook"', 'label = "Discovery"', 'name = "Senior title"', '"unknown"',
             'label = "Pain that started the conversation"', '"Software"', 'user = "maya"', 'label = "Connected"']
    source = SOURCE + '\n[[targets]]\nuser = "maya"\nmetric = "calls"\nperiod = "day"\nvalue = 5\n'
    accepted = 0
    for text in naughty_strings():
        quoted = toml_string(text)
        with pytest.raises(PlaybookError) as caught:
            parse_playbook(_with(source, checked, quoted), "naughty.toml")
        assert all("\n" not in p for p in caught.value.problems), caught.value.problems
        try:
            playbook = parse_playbook(_with(source, words, quoted), "naughty.toml")
        except PlaybookError as exc:
            assert text.strip() == "" or "user" in str(exc), exc.problems
        else:
            assert playbook.stages[0].label == text and playbook.name == text
            accepted += 1
    assert accepted > 400, "words are free text: nearly every string is a fine label"


def test_a_pattern_that_backtracks_forever_on_python_re_scores_a_long_title_at_once():
    source = _replace('pattern = "(?i)\\\\b(head|director|vp|vice president|chief|c[eftoi]o|founder|owner)\\\\b"',
                      'pattern = "^(a+)+$"')
    qualification = parse_playbook(source, "team.toml").qualification
    started = time.perf_counter()
    lines = fit_lines(qualification, {"title": "a" * 5000 + "b"})
    assert time.perf_counter() - started < 0.5
    assert [line.rule for line in lines] == []
    assert [line.rule for line in fit_lines(qualification, {"title": "a" * 5000})] == ["Senior title"]


@pytest.mark.parametrize(("pattern", "why"), [
    ("(a)\\\\1", "backreferences"), ("(?=head)h", "lookaheads"), ("(?!x)y", "lookaheads"),
    ("(?<!vice )president", "lookbehinds"), ("(head", "missing )"),
])
def test_a_pattern_re2_cannot_run_is_refused_with_its_line_and_why(pattern, why):
    old = 'pattern = "(?i)\\\\b(head|director|vp|vice president|chief|c[eftoi]o|founder|owner)\\\\b"'
    source = _replace(old, f"pattern = {toml_string(pattern.replace(chr(92) * 2, chr(92)))}")
    problems = _problems(source)
    assert len(problems) == 1, problems
    line = _line_of(source, "pattern = ")
    assert problems[0].startswith(f"team.toml:{line}: qualification.fit_rules[3].pattern: is not a pattern")
    assert why in problems[0]


def test_the_default_senior_title_pattern_still_matches_on_re2():
    qualification = parse_playbook(SOURCE, "playbook.toml").qualification
    for title, senior in [("Head of Operations", True), ("VP Clinical Operations", True), ("CFO", True),
                          ("IT Manager", False), ("Warehouse Lead", False), ("Overhead analyst", False)]:
        rules = [line.rule for line in fit_lines(qualification, {"title": title})]
        assert ("Senior title" in rules) is senior, title


@pytest.mark.parametrize("follow_up", ["+99999999999d", "+9999999w", "+99999999999bd", "+999999999999999h",
                                       "+" + "1" * 5000 + "d", "a" + " " * 20_000 + "x"],
                         ids=["days", "weeks", "business days", "hours", "5000 digits", "20000 spaces"])
def test_a_follow_up_far_off_or_long_is_refused_at_once(follow_up):
    """They overflowed the calendar (a traceback), broke int() or took minutes in a regular expression."""
    source = _replace('follow_up = "+2d"', f"follow_up = {toml_string(follow_up)}")
    started = time.perf_counter()
    problems = _problems(source)
    assert time.perf_counter() - started < 1
    line = _line_of(source, f"follow_up = {toml_string(follow_up)[:12]}")
    assert len(problems) == 1 and problems[0].startswith(f"team.toml:{line}: outcomes[1].follow_up: "), problems


@pytest.mark.parametrize(("old", "new", "where"), [("value = 60\n", "value = inf\n", "targets[0].value"),
                                                   ("USD = 0.92", "USD = inf", "currency.rates.USD"),
                                                   ("USD = 0.92", "USD = nan", "currency.rates.USD")])
def test_an_infinite_target_or_rate_is_refused(old, new, where):
    """TOML has inf and nan; a target of inf passed and every progress bar then divided by it."""
    problems = _problems(_replace(old, new))
    assert len(problems) == 1 and f": {where}: must be a number" in problems[0], problems
