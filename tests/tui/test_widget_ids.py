"""tui.common.widget_ids: any key (the naughty strings) gets an id Textual accepts, read back as the same key; no two
keys
share an id, and a key named like one of a screen's own widgets never takes that widget's id."""

from __future__ import annotations

from textual.widgets import Static

from revdesk.tui.common.widget_ids import key_id, key_of
from tests.naughty import naughty_strings


def test_every_naughty_key_gets_a_valid_id_that_reads_back():
    ids = {}
    for key in naughty_strings():
        widget_id = key_id("field", key, reserved=("to",))
        Static(id=widget_id)  # raises BadIdentifier for an id Textual refuses
        assert key_of("field", widget_id) == key
        assert ids.setdefault(widget_id, key) == key, f"{key!r} and {ids[widget_id]!r} share {widget_id}"


def test_plain_keys_keep_readable_ids_and_reserved_ones_are_escaped():
    assert key_id("field", "next_step") == "field-next_step"
    assert key_id("field", "to", reserved=("to",)) != "field-to"
    assert key_of("field", key_id("field", "to", reserved=("to",))) == "to"
    assert key_id("field", "next step") != key_id("field", "next_step")
    assert key_of("problem", "field-x") is None and key_of("field", None) is None
