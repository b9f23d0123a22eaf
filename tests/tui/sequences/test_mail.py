"""Delivering a rendered e-mail (tui/sequences/mail.py): .eml files that parse back, mailto links encoded per RFC 6068,
SMTP refusing to start without its settings, and SMTP driven against a stand-in server (no network)."""

from __future__ import annotations

import email
import email.policy
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from revdesk.core.common.errors import InvalidInput
from revdesk.tui.common.config import Settings, load_settings
from revdesk.tui.sequences.mail import MailError, deliver, mailto_url, send_smtp, write_eml
from tests.naughty import naughty_strings

NOW = datetime(2026, 11, 24, 8, 5, tzinfo=UTC)


@dataclass(frozen=True)
class Draft:
    to: str = "jonas.weber@nordwind.de"
    to_name: str = "Jonas Wéber"
    subject: str = "A question about Nordwind & co? 100% yes"
    body: str = "Hi Jonas,\n\nIs that on your list this quarter?\nLine with ü and a + sign.\n\nMaya\n"
    sender_name: str = "Maya Koch"


def test_eml_is_written_to_the_outbox_and_parses_back(tmp_path):
    path = write_eml(Draft(), Settings(smtp_from="maya@example.com"), NOW)
    assert path == tmp_path / "data" / "outbox" / "2026-11-24-jonas-weber.eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["To"].addresses[0].addr_spec == "jonas.weber@nordwind.de"
    assert parsed["To"].addresses[0].display_name == "Jonas Wéber"
    assert parsed["From"].addresses[0].addr_spec == "maya@example.com"
    assert parsed["Subject"] == Draft.subject
    assert parsed["Date"].datetime == NOW
    assert parsed["Message-ID"].startswith("<") and parsed["Message-ID"].endswith("@example.com>")
    assert parsed["X-Unsent"] == "1"
    assert parsed.get_content() == Draft.body

    second = write_eml(Draft(), Settings(), NOW)
    assert second.name == "2026-11-24-jonas-weber-2.eml", "an existing file is never overwritten"
    # Without smtp_from there is no address to give: the name alone (the mail client fills in its account).
    assert "Maya Koch" in str(email.message_from_bytes(second.read_bytes(), policy=email.policy.default)["From"])


def test_deliver_by_default_writes_an_eml_and_says_where():
    delivered = deliver(Draft(), Settings(), NOW)
    assert delivered.method == "eml" and Path(delivered.where).exists()
    assert delivered.summary.startswith("E-mail written to ") and delivered.summary.endswith(".eml")


def test_mailto_url_percent_encodes_subject_and_body():
    url = mailto_url(Draft())
    assert url.startswith("mailto:jonas.weber@nordwind.de?subject=")
    assert " " not in url and "\n" not in url and "+" not in url, "spaces are %20, never +"
    assert "%0D%0A" in url, "line breaks are CRLF"
    query = parse_qs(urlsplit(url).query)
    assert query["subject"] == [Draft.subject]
    assert unquote(url.split("&body=")[1]) == Draft.body.replace("\n", "\r\n")


def test_mailto_opens_the_link_and_returns_it(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    delivered = deliver(Draft(), Settings(mail="mailto"), NOW)
    assert opened == [delivered.where] == [mailto_url(Draft())]


def test_mailto_without_any_handler_says_so(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("webbrowser.open", lambda url: False)
    with pytest.raises(MailError) as caught:
        deliver(Draft(), Settings(mail="mailto"), NOW)
    assert caught.value.setting == "mail" and "eml" in str(caught.value)


def test_mailto_without_a_desktop_refuses_rather_than_start_a_text_browser(monkeypatch):
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("webbrowser.open", _no_network)
    with pytest.raises(MailError) as caught:
        deliver(Draft(), Settings(mail="mailto"), NOW)
    assert caught.value.setting == "mail" and "desktop" in str(caught.value)


def test_smtp_without_a_host_names_the_setting(monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", _no_network)
    with pytest.raises(MailError) as caught:
        send_smtp(Draft(), Settings(mail="smtp", smtp_from="maya@example.com"), NOW)
    assert caught.value.setting == "smtp_host"
    assert str(caught.value).startswith("smtp_host: is not set in config.toml")


def test_smtp_with_a_user_needs_the_password_variable(monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", _no_network)
    settings = Settings(mail="smtp", smtp_host="mail.example.com", smtp_user="maya", smtp_from="maya@example.com",
                        smtp_password_env="REVDESK_TEST_SMTP_PASSWORD")
    monkeypatch.delenv("REVDESK_TEST_SMTP_PASSWORD", raising=False)
    with pytest.raises(MailError) as caught:
        send_smtp(Draft(), settings, NOW)
    assert caught.value.setting == "smtp_password_env" and "REVDESK_TEST_SMTP_PASSWORD" in str(caught.value)


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what would have happened; refuses a recipient when told to."""

    sessions: list[FakeSMTP] = []
    refuse = False

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.calls = host, port, []
        FakeSMTP.sessions.append(self)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("quit")

    def starttls(self, context: object) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", user, password))

    def send_message(self, message: email.message.EmailMessage, from_addr: str | None = None,
                     to_addrs: list[str] | None = None) -> None:
        if FakeSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({"jonas.weber@nordwind.de": (550, b"No such user")})
        self.calls.append(("send", message["To"], message["From"], message["Subject"]))
        self.envelope = (from_addr, to_addrs)


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError("no connection may be opened")


def test_smtp_sends_with_starttls_and_the_password_from_the_environment(monkeypatch):
    FakeSMTP.sessions, FakeSMTP.refuse = [], False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setenv("REVDESK_TEST_SMTP_PASSWORD", "s3cret")
    settings = Settings(mail="smtp", smtp_host="mail.example.com", smtp_user="maya", smtp_from="maya@example.com",
                        smtp_password_env="REVDESK_TEST_SMTP_PASSWORD")
    delivered = deliver(Draft(), settings, NOW)
    assert delivered.summary == "E-mail sent to jonas.weber@nordwind.de through mail.example.com"
    (session,) = FakeSMTP.sessions
    assert (session.host, session.port) == ("mail.example.com", 587)
    assert session.calls[:2] == ["starttls", ("login", "maya", "s3cret")]
    assert session.calls[2][0] == "send" and session.calls[2][2] == "Maya Koch <maya@example.com>"

    FakeSMTP.refuse = True
    with pytest.raises(MailError) as caught:
        deliver(Draft(), settings, NOW)
    assert caught.value.setting == "smtp_host"
    assert "refused the recipient jonas.weber@nordwind.de (550 No such user)" in str(caught.value)


def _config(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


def test_mail_settings_come_from_config_toml(tmp_path):
    assert load_settings().mail == "eml"
    _config(tmp_path, 'user = "maya"\nmail = "smtp"\nsmtp_host = "mail.example.com"\nsmtp_port = 2525\n'
                      'smtp_user = "maya"\nsmtp_password_env = "MY_SMTP_PASSWORD"\nsmtp_from = "maya@example.com"\n')
    settings = load_settings()
    assert (settings.user, settings.mail, settings.smtp_host, settings.smtp_port) == (
        "maya", "smtp", "mail.example.com", 2525)
    assert (settings.smtp_user, settings.smtp_password_env, settings.smtp_from) == (
        "maya", "MY_SMTP_PASSWORD", "maya@example.com")


@pytest.mark.parametrize(("text", "key"), [
    ('mail = "pigeon"\n', "mail"),
    ('smtp_port = "587"\n', "smtp_port"),
    ('smtp_password = "hunter2"\n', "smtp_password"),
])
def test_bad_mail_settings_are_refused_by_name(tmp_path, text, key):
    _config(tmp_path, text)
    with pytest.raises(InvalidInput) as caught:
        load_settings()
    assert caught.value.field.endswith(f": {key}")


# Names are names: nothing in a contact's or a sender's name adds a recipient, a sender or a header.

INJECTED = ["Jönas, <x@evil.example>", "Jönas\r\nBcc: x@evil.example", '"Jo" <x@evil.example>, Jonas',
            "=?utf-8?q?x=40evil.example?= <x@evil.example>", "Weber; x@evil.example", "Jonas\u2028Cc: x@evil.example"]


def _visible(text: str) -> str:
    """Text without the whitespace and control characters a header may trim or fold."""
    return "".join(c for c in text if c.isprintable() and not c.isspace())


def _parsed(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


@pytest.mark.parametrize("name", [*INJECTED, *naughty_strings()])
def test_an_eml_has_exactly_one_recipient_and_one_sender_whatever_the_names(tmp_path, name):
    draft = Draft(to_name=name, sender_name=name, subject=name or "x")
    parsed = _parsed(write_eml(draft, Settings(smtp_from="maya@example.com"), NOW, outbox=tmp_path / "out"))
    recipients = [a for field in ("To", "Cc", "Bcc") for a in (parsed[field].addresses if parsed[field] else ())]
    assert [a.addr_spec for a in recipients] == ["jonas.weber@nordwind.de"]
    assert [a.addr_spec for a in parsed["From"].addresses] == ["maya@example.com"]
    if "=?" not in name:  # a parser decodes what looks like an encoded word, even quoted (one recipient still)
        assert _visible(recipients[0].display_name) == _visible(name)
        assert _visible(parsed["Subject"]) == _visible(name or "x")
    assert set(parsed.keys()) == {"From", "To", "Subject", "Date", "Message-ID", "X-Unsent", "Content-Type",
                                  "Content-Transfer-Encoding", "MIME-Version"}


@pytest.mark.parametrize("name", INJECTED)
def test_without_smtp_from_the_sender_is_a_name_and_no_address(tmp_path, name):
    parsed = _parsed(write_eml(Draft(sender_name=name), Settings(), NOW, outbox=tmp_path / "out"))
    (sender,) = parsed["From"].addresses
    assert sender.addr_spec in ("", "<>")
    assert "=?" in name or _visible(sender.display_name) == _visible(name)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["jonas.weber@nordwind.de"]


@pytest.mark.parametrize("to", ["a@b.com, x@evil.example", "a@b.com>, <x@evil.example", "a@b.com\r\nBcc: x@y", "",
                                "<a@b.com>"])
def test_an_address_that_is_not_exactly_one_is_refused_everywhere(monkeypatch, tmp_path, to):
    monkeypatch.setattr(smtplib, "SMTP", _no_network)
    with pytest.raises(MailError, match="is not one e-mail address"):
        write_eml(Draft(to=to), Settings(), NOW, outbox=tmp_path)
    with pytest.raises(MailError, match="is not one e-mail address"):
        mailto_url(Draft(to=to))
    with pytest.raises(MailError, match="is not one e-mail address"):
        send_smtp(Draft(to=to), Settings(mail="smtp", smtp_host="mail.example.com", smtp_from="m@example.com"), NOW)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", INJECTED)
def test_a_mailto_link_has_one_recipient_and_only_subject_and_body(name):
    parts = urlsplit(mailto_url(Draft(subject=name, body=name)))
    assert unquote(parts.path) == "jonas.weber@nordwind.de"
    query = parse_qs(parts.query, keep_blank_values=True)
    assert sorted(query) == ["body", "subject"]
    assert query["subject"] == [" ".join(name.splitlines())]


@pytest.mark.parametrize("name", INJECTED)
def test_smtp_is_given_its_one_recipient_explicitly(monkeypatch, name):
    FakeSMTP.sessions, FakeSMTP.refuse = [], False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    settings = Settings(mail="smtp", smtp_host="mail.example.com", smtp_from="maya@example.com")
    send_smtp(Draft(to_name=name, sender_name=name), settings, NOW)
    (session,) = FakeSMTP.sessions
    assert session.envelope == ("maya@example.com", ["jonas.weber@nordwind.de"])
    assert [a.addr_spec for a in session.calls[1][1].addresses] == ["jonas.weber@nordwind.de"]


def test_outbox_files_and_folder_are_private_whatever_the_umask(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        path = write_eml(Draft(), Settings(), NOW)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700, "the data dir, made for the outbox"


def test_a_config_file_that_is_not_utf8_is_refused_in_one_line(capsys, tmp_path):
    from revdesk.tui.cli.main import main

    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "config.toml").write_bytes(b'user = "J\xf6rg"\n')
    capsys.readouterr()
    assert main(["users"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "config.toml: is not UTF-8 text" in err, err
