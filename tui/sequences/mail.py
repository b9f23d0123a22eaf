"""Delivering a rendered e-mail the way the user chose in config.toml (see tui/common/config.py):

- "eml" (the default): a standard .eml file in `<data dir>/outbox/`, to open in any mail client;
- "mailto": a `mailto:` link opened with the system's handler (the mail client fills in a new message);
- "smtp": sent through the configured server with STARTTLS (or TLS on port 465).

Pure delivery: no database access. Logging the e-mail is the caller's job, once delivery succeeded.
Every failure raises MailError naming the setting to look at.

Addresses are built as email.headerregistry.Address objects, never by joining strings: a display name is only
ever a name (`Jönas, <x@evil.example>` stays one quoted name, not a second recipient), the address must parse as
exactly one addr-spec, and SMTP is given its one recipient explicitly. Line breaks in names and the subject are
folded into spaces (a header is one line). Files in the outbox are 0600, the outbox 0700.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from revdesk.core.common.errors import RevdeskError
from revdesk.tui.common.config import Settings, data_dir

SMTP_TIMEOUT = 20  # seconds


class Draft(Protocol):
    """What delivery needs of a rendered e-mail (db.sequences.steps.EmailDraft fits)."""

    to: str
    to_name: str
    subject: str
    body: str
    sender_name: str


class MailError(RevdeskError):
    """The e-mail could not be delivered; names the config.toml setting to look at."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting}: {reason}")
        self.setting = setting
        self.reason = reason


@dataclass(frozen=True)
class Delivered:
    method: str  # eml, mailto or smtp
    where: str  # the file written, the link opened, or the server used
    summary: str  # one plain sentence for the screen


def outbox_dir() -> Path:
    return data_dir() / "outbox"


def shown_path(path: Path) -> str:
    """A path as a person reads it: under the home directory it starts with ~."""
    try:
        return "~/" + str(path.resolve().relative_to(Path.home().resolve()))
    except ValueError:
        return str(path)


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "contact"


def one_line(text: str) -> str:
    """Header text on one line: any line break (CR, LF, U+2028...) becomes a space."""
    return " ".join(text.splitlines())


def mailbox(name: str, address: str, setting: str) -> Address:
    """One mailbox: `name` only ever as its display name, `address` exactly one addr-spec (else MailError)."""
    try:
        return Address(display_name=one_line(name), addr_spec=address)
    except (ValueError, IndexError, HeaderParseError):  # two addresses, none, a CR or LF, a non-ASCII local part
        raise MailError(setting, f"{address!r} is not one e-mail address") from None


def build_message(draft: Draft, settings: Settings, now: datetime) -> EmailMessage:
    """A plain-text message with From, To, Subject, Date and Message-ID. From is `smtp_from` when set (for
    every method), else the sender's name with no address: the mail client that opens an .eml puts its
    account there."""
    msg = EmailMessage()
    sender = settings.smtp_from
    msg["From"] = (mailbox(draft.sender_name, sender, "smtp_from") if sender
                   else Address(display_name=one_line(draft.sender_name)))
    msg["To"] = mailbox(draft.to_name, draft.to, "to")
    msg["Subject"] = one_line(draft.subject)
    msg["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] if sender and "@" in sender else "revdesk.local"
    msg["Message-ID"] = make_msgid(domain=domain)  # an explicit domain: no slow host-name lookup
    msg.set_content(draft.body, cte="quoted-printable")  # readable as text, safe for any server
    # Headers stay unfolded: this Python's folding drops the quotes around a display name that holds a quote
    # (CPython gh-80222, a header-spoofing bug fixed only in later releases), which would let a name add addresses.
    msg.policy = msg.policy.clone(max_line_length=None)
    return msg


def write_eml(draft: Draft, settings: Settings, now: datetime, outbox: Path | None = None) -> Path:
    """Write the message to the outbox as `2026-11-24-jonas-weber.eml` (-2, -3... when taken); its path."""
    from revdesk.db.workbench import PRIVATE_FILE, private_dir

    folder = outbox or outbox_dir()
    message = build_message(draft, settings, now)
    message["X-Unsent"] = "1"  # mail clients that know it open the file as a draft, ready to send
    data = message.as_bytes()
    try:
        private_dir(folder)
        stem = f"{now:%Y-%m-%d}-{_slug(draft.to_name)[:60]}"
        for number in itertools.count(1):
            path = folder / (f"{stem}.eml" if number == 1 else f"{stem}-{number}.eml")
            try:  # created here, 0600, never over an existing file (even one made meanwhile)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), PRIVATE_FILE)
                out.write(data)
            break
    except OSError as exc:
        raise MailError("mail", f"could not write the e-mail to {folder} ({exc.strerror or exc})") from None
    return path


def mailto_url(draft: Draft) -> str:
    """`mailto:` link to exactly one address, with the subject and body percent-encoded (RFC 6068: spaces %20,
    line breaks %0D%0A; `,`, `?` and `&` encoded, so nothing in them adds a recipient or a header)."""
    to = mailbox("", draft.to, "to").addr_spec
    body = draft.body.replace("\r\n", "\n").replace("\n", "\r\n")
    subject = one_line(draft.subject)
    return f"mailto:{quote(to, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def open_mailto(draft: Draft) -> str:
    """Open the link with the system's mail handler; the URL."""
    import webbrowser

    url = mailto_url(draft)
    if sys.platform not in ("darwin", "win32") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        # Without a desktop only text-mode browsers are left, and one would take over the terminal.
        raise MailError("mail", "mailto needs a desktop session to open your mail client; set mail = \"eml\"")
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error as exc:
        raise MailError("mail", f"could not open your mail client ({exc}); set mail = \"eml\" instead") from None
    if not opened:
        raise MailError("mail", "no mail client or browser could open the mailto link; set mail = \"eml\" instead")
    return url


def send_smtp(draft: Draft, settings: Settings, now: datetime) -> str:
    """Send through the configured server; a short confirmation."""
    import smtplib
    import ssl

    if not settings.smtp_host:
        raise MailError("smtp_host", 'is not set in config.toml: mail = "smtp" needs the server to send through')
    if not settings.smtp_from:
        raise MailError("smtp_from", 'is not set in config.toml: mail = "smtp" needs your sending address')
    password = None
    if settings.smtp_user:
        if not settings.smtp_password_env:
            raise MailError("smtp_password_env", "is not set in config.toml: name the environment variable that"
                                                 f" holds the password for {settings.smtp_user}")
        password = os.environ.get(settings.smtp_password_env)
        if not password:
            raise MailError("smtp_password_env", f"the environment variable {settings.smtp_password_env} is not"
                                                 " set or is empty")
    message = build_message(draft, settings, now)
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    context = ssl.create_default_context()
    try:
        if settings.smtp_port == 465:
            client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT, context=context)
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
        with client:
            if settings.smtp_port != 465:
                client.starttls(context=context)
            if settings.smtp_user and password:
                client.login(settings.smtp_user, password)
            client.send_message(message, from_addr=settings.smtp_from, to_addrs=[message["To"].addresses[0].addr_spec])
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError("smtp_user", f"{server} refused the login for {settings.smtp_user} ({_said(exc)})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError("smtp_host", f"{server} refused the recipient {draft.to} ({_said(exc)})") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError("smtp_from", f"{server} refused the sender {settings.smtp_from} ({_said(exc)})") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError("smtp_host", f"could not send through {server} ({_said(exc)})") from None
    return f"E-mail sent to {draft.to} through {settings.smtp_host}"


def _said(exc: Exception) -> str:
    """The server's own words when it gave any."""
    for value in (getattr(exc, "smtp_error", None), getattr(exc, "recipients", None)):
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if isinstance(value, dict) and value:
            code, text = next(iter(value.values()))
            return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
    return str(exc) or type(exc).__name__


def deliver(draft: Draft, settings: Settings, now: datetime) -> Delivered:
    """Deliver by the configured method."""
    if settings.mail == "mailto":
        return Delivered("mailto", open_mailto(draft), "E-mail opened in your mail client")
    if settings.mail == "smtp":
        return Delivered("smtp", settings.smtp_host or "", send_smtp(draft, settings, now))
    path = write_eml(draft, settings, now)
    return Delivered("eml", str(path), f"E-mail written to {shown_path(path)}")


def how_it_goes(settings: Settings) -> str:
    """What sending will do, for the dialog's hint."""
    if settings.mail == "mailto":
        return "opens it in your mail client"
    if settings.mail == "smtp":
        return f"sends it through {settings.smtp_host or '(no smtp_host set)'}"
    return f"writes it to {shown_path(outbox_dir())} as an .eml file"
