"""sequences/templates.py: merge fields found, rendered, and a message with a hole in it never produced."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from revdesk.core.common.errors import InvalidInput
from revdesk.sequences.templates import MERGE_FIELDS, MissingMergeFields, fields_in, merge_values, render

VALUES = {"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace", "title": "CTO",
          "company": "Analytical Engines", "industry": "Computing", "sender_name": "Sam Rep",
          "sender_first_name": "Sam"}


def test_every_merge_field_is_described():
    assert set(MERGE_FIELDS) == set(VALUES)
    assert all(text.strip() for text in MERGE_FIELDS.values())


def test_fields_in_lists_each_field_once_in_order():
    assert fields_in("Hi {first_name}, {company} and {first_name} again") == ["first_name", "company"]
    assert fields_in("no fields at all") == []
    assert fields_in("{unknown_one}") == ["unknown_one"]  # unknown names are for the caller to judge


def test_double_braces_are_literal():
    assert fields_in("use {{first_name}} literally, and {{}}") == []
    assert fields_in("{{{company}}}") == ["company"]
    assert render("{{ {first_name} }}", VALUES) == "{ Ada }"


@pytest.mark.parametrize("text,shown", [("{0}", "{0}"), ("{}", "{}"), ("{first_name!r}", "{first_name!r}"),
                                        ("{a.b}", "{a.b}"), ("{a[0]}", "{a[0]}"), ("{company:>20}", "{company:>20}"),
                                        ("{first name}", "{first name}")])
def test_placeholders_that_are_not_plain_names_are_not_allowed(text, shown):
    with pytest.raises(InvalidInput) as info:
        fields_in(f"Hi {text}")
    assert info.value.field == "template"
    assert info.value.reason.startswith(f"{shown} is not allowed")


@pytest.mark.parametrize("text", ["Hi {first_name", "Hi first_name}", "a { b"])
def test_stray_braces_are_refused(text):
    with pytest.raises(InvalidInput, match="stray brace"):
        fields_in(text)


def test_render_with_all_values():
    text = "Hi {first_name},\n\n{sender_first_name} here, about {company} ({industry}).\n"
    assert render(text, VALUES) == "Hi Ada,\n\nSam here, about Analytical Engines (Computing).\n"


def test_values_are_trimmed_and_never_parsed_again():
    assert render("Hi {first_name} at {company}", {"first_name": "  Ada ", "company": "{weird} Co"}) == \
        "Hi Ada at {weird} Co"


def test_missing_fields_are_all_named_and_nothing_is_rendered():
    values = dict(VALUES, first_name=None, company="   ")
    result = None
    with pytest.raises(MissingMergeFields) as info:
        result = render("Hi {first_name}, how is {company}? {sender_first_name}", values)
    assert result is None
    assert isinstance(info.value, InvalidInput) and info.value.field == "template"
    assert info.value.missing == ["first_name", "company"]
    assert info.value.reason == "no value for first_name, company: fill them in on the contact or edit the step"
    assert str(info.value) == f"template: {info.value.reason}"


def test_a_field_absent_from_the_values_is_missing():
    with pytest.raises(MissingMergeFields) as info:
        render("Hi {nickname}", VALUES)
    assert info.value.missing == ["nickname"]


def test_merge_values_from_records():
    contact = SimpleNamespace(first_name="Ada", last_name=" Lovelace ", title="")
    account = SimpleNamespace(name="Analytical Engines", industry=None)
    sender = SimpleNamespace(name="Sam Q. Rep")
    assert merge_values(contact, account, sender) == {
        "first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace", "title": None,
        "company": "Analytical Engines", "industry": None, "sender_name": "Sam Q. Rep", "sender_first_name": "Sam"}


def test_merge_values_without_account_or_sender():
    values = merge_values(SimpleNamespace(first_name="", last_name="Lovelace", title="CTO"), None, None)
    assert values["first_name"] is None and values["full_name"] == "Lovelace"
    assert values["company"] is None and values["industry"] is None
    assert values["sender_name"] is None and values["sender_first_name"] is None
    assert set(values) == set(MERGE_FIELDS)
    with pytest.raises(MissingMergeFields) as info:
        render("Hi {first_name} at {company}", values)
    assert info.value.missing == ["first_name", "company"]


def test_merge_values_from_core_models():
    from datetime import datetime

    from revdesk.core.common.models import Account, Contact, User

    contact = Contact(id=1, account_id=2, first_name="Ada", last_name="Lovelace", title="CTO", email=None,
                      phone=None, timezone=None, country=None, buying_role=None, lead_source=None, inbound=False,
                      lifecycle_stage="lead", lead_status="new", score=0, owner_id=None, do_not_contact=False,
                      created_at=datetime(2025, 1, 1), first_touch_at=None, last_touch_at=None)
    fields = {f: None for f in Account._fields if f not in Account._field_defaults}
    account = Account(**dict(fields, id=2, name="Analytical Engines", industry="Computing"))
    user = User(id=3, handle="sam", name="Sam Rep", role="sdr", team="east", timezone="UTC")
    assert render("Hi {full_name}, {title} at {company}. {sender_name}", merge_values(contact, account, user)) == \
        "Hi Ada Lovelace, CTO at Analytical Engines. Sam Rep"
