"""Sending to a colleague through real channels on loopback, with secrets never shown.

Every server here is real and listens on 127.0.0.1 only (an SMTP server from aiosmtpd,
``http.server`` for the JSON webhook, plain sockets for the failures); a guard fails any
test that tries to connect anywhere else. Ports are free ports (bound to port 0).
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from companion.connect.channels import SendResult, channel_kind, check_channel, send_message
from companion.connect.secrets import SecretFilter, mask_url, secrets_of
from tests.support.loopback import (
    LOOPBACK,
    SECRET,
    SMTP_QUERY,
    LoopbackController,
    Mailbox,
    OffLoopbackError,
    closed_port,
    listening_socket,
    mail_url,
    serve_each,
)

HANG_GUARD_S = 5.0
"""Bound on a send against a silent server: a guard against hanging, not a speed test."""

pytestmark = [
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
    pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning"),
]


# --- the loopback guard ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _loopback_only(loopback_only: list[Any]) -> list[Any]:
    return loopback_only


def test_the_guard_refuses_and_records_other_addresses(loopback_only: list[Any]) -> None:
    with pytest.raises(OffLoopbackError):
        socket.create_connection(("192.0.2.1", 25), timeout=0.1)
    with socket.socket() as sock, pytest.raises(OffLoopbackError):
        sock.connect(("localhost", 25))
    assert loopback_only == [("192.0.2.1", 25), ("localhost", 25)]
    loopback_only.clear()


# --- servers ---------------------------------------------------------------------------


@dataclass
class Hook:
    """What the webhook received; the status it answers with."""

    port: int
    status: int = 200
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Hook]:
    """A real HTTP server on loopback recording the JSON posted to it."""
    hook = Hook(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            hook.requests.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet (the default writes each request line, secret path and all, to stderr)."""

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    hook.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def trickler() -> Iterator[int]:
    """An SMTP greeting that never ends: a continuation line every 0.3 s."""

    def reply(conn: socket.socket, stop: threading.Event) -> None:
        while not stop.wait(0.3):
            try:
                conn.sendall(b"220-still greeting\r\n")
            except OSError:
                return

    yield from serve_each(reply)


BODY = "Could we talk after my 3 pm session? It was a heavy one."


def send(url: str, timeout_s: float = 2.0) -> SendResult:
    """Send the test message to Sam through ``url``."""
    return send_message(url, to_name="Sam", title="Thinking of you", body=BODY, timeout_s=timeout_s)


# --- sending ---------------------------------------------------------------------------


def test_an_email_reaches_the_smtp_server(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    result = send(mail_url(port))
    assert result.ok, result.message
    assert result.message == "Sent to Sam by e-mail."
    assert result.kind == "e-mail"
    assert result.channel == f"mailto://sam:***@{LOOPBACK}:{port}?{SMTP_QUERY}"
    assert result.elapsed_s >= 0.0
    [envelope] = mailbox.envelopes
    assert envelope.mail_from == "holdspace@example.org"
    assert envelope.rcpt_tos == ["sam@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Thinking of you"
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert BODY in text.get_content()


def test_a_json_webhook_receives_title_and_body(webhook: Hook) -> None:
    result = send(f"json://{LOOPBACK}:{webhook.port}/hook/{SECRET}")
    assert result.ok, result.message
    assert result.message == "Sent to Sam by JSON webhook."
    assert result.channel == f"json://{LOOPBACK}:{webhook.port}/***/***"
    [(path, payload)] = webhook.requests
    assert path == f"/hook/{SECRET}"
    assert payload["title"] == "Thinking of you"
    assert payload["message"] == BODY


# --- failures --------------------------------------------------------------------------


def test_nothing_listening_on_the_mail_port() -> None:
    port = closed_port()
    result = send(mail_url(port))
    assert not result.ok
    assert result.message == (
        f"Could not reach the mail server at {LOOPBACK}:{port} (connection refused): "
        "check the address and port."
    )


def test_nothing_listening_on_the_webhook_port() -> None:
    port = closed_port()
    result = send(f"json://{LOOPBACK}:{port}/hook/{SECRET}")
    assert not result.ok
    assert result.message == (
        f"Could not reach {LOOPBACK}:{port} (connection refused): check the address and port."
    )


@pytest.mark.parametrize("scheme", ["mailto", "json"])
def test_a_server_that_never_answers_times_out(scheme: str, silent_port: int) -> None:
    url = mail_url(silent_port) if scheme == "mailto" else f"json://{LOOPBACK}:{silent_port}/h"
    started = time.monotonic()
    result = send(url, timeout_s=1.0)
    assert time.monotonic() - started < HANG_GUARD_S
    assert not result.ok
    assert result.message == (
        f"{LOOPBACK}:{silent_port} did not answer within 1 s: "
        "check the address, or try again later."
    )


def test_a_server_that_trickles_cannot_hold_the_send(trickler: int) -> None:
    started = time.monotonic()
    result = send(mail_url(trickler), timeout_s=1.0)
    assert time.monotonic() - started < HANG_GUARD_S
    assert not result.ok
    assert result.message == (
        f"{LOOPBACK}:{trickler} did not answer within 1 s: check the address, or try again later."
    )


def test_an_smtp_url_pointing_at_an_http_server(http_greeter: int) -> None:
    result = send(mail_url(http_greeter))
    assert not result.ok
    assert result.message == (
        f"The server at {LOOPBACK}:{http_greeter} did not speak e-mail (SMTP): check the port."
    )


def test_a_webhook_answering_404(webhook: Hook) -> None:
    webhook.status = 404
    result = send(f"json://{LOOPBACK}:{webhook.port}/wrong/{SECRET}")
    assert not result.ok
    assert result.message == (
        f"{LOOPBACK}:{webhook.port} refused the message (HTTP 404): check the address."
    )
    assert len(webhook.requests) == 1


def test_a_wrong_password(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    result = send(mail_url(port, password="Wr0ng-Pass-77"))
    assert not result.ok
    assert result.message == (
        f"The mail server at {LOOPBACK}:{port} did not accept the user name or password."
    )
    assert "Wr0ng-Pass-77" not in result.message + result.channel
    assert mailbox.envelopes == []


@pytest.fixture
def open_smtp() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on loopback without AUTH and without TLS."""
    mailbox = Mailbox()
    controller = LoopbackController(mailbox, listening_socket())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


def test_a_mail_server_without_login(open_smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = open_smtp
    assert send(f"mailto://{LOOPBACK}:{port}?{SMTP_QUERY}").message == "Sent to Sam by e-mail."
    assert len(mailbox.envelopes) == 1
    assert send(mail_url(port)).message == (
        f"The mail server at {LOOPBACK}:{port} offers no login: "
        "check the port, or leave out the password."
    )
    starttls = f"mailtos://sam:{SECRET}@{LOOPBACK}:{port}?{SMTP_QUERY}".replace(
        "mode=insecure", "mode=starttls"
    )
    assert send(starttls).message == (
        f"Could not set up a secure (TLS) connection with {LOOPBACK}:{port}: "
        "check the port and the mode."
    )
    assert len(mailbox.envelopes) == 1


def test_an_unexplained_failure_quotes_apprise(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    mailbox.refuse_rcpt = True
    result = send(mail_url(port))
    assert not result.ok
    assert result.message.startswith("Could not send to Sam by e-mail: ")
    assert "sam@example.org" in result.message
    assert result.message.endswith(".")
    assert SECRET not in result.message


def test_an_unknown_channel_is_not_sent() -> None:
    result = send(f"mailto2://sam:{SECRET}@example.org")
    assert not result.ok
    assert result.kind == "unknown channel"
    assert result.message == (
        "Holdspace does not recognise the channel address mailto2://sam:***@example.org: "
        "check it against the Apprise list of services."
    )


# --- secrets ---------------------------------------------------------------------------


@pytest.fixture
def secret_filter() -> Iterator[SecretFilter]:
    """A SecretFilter installed for the test, taken off afterwards."""
    scrubber = SecretFilter()
    scrubber.install()
    yield scrubber
    for handler in logging.getLogger().handlers:
        handler.removeFilter(scrubber)
    for name in ("apprise", "holdspace"):
        logging.getLogger(name).removeFilter(scrubber)


def test_secrets_never_show_in_results_or_logs(
    smtp: tuple[Mailbox, int],
    webhook: Hook,
    caplog: pytest.LogCaptureFixture,
    secret_filter: SecretFilter,
) -> None:
    caplog.set_level(1)  # everything, Apprise's TRACE lines included
    for name in ("apprise", "urllib3", "holdspace"):
        caplog.set_level(1, logger=name)
    _, port = smtp
    urls = [
        mail_url(port),
        mail_url(closed_port()),
        f"json://{LOOPBACK}:{webhook.port}/hook/{SECRET}",
        f"json://sam:{SECRET}@{LOOPBACK}:{closed_port()}/hook",
        f"mailto2://sam:{SECRET}@example.org",
    ]
    for url in urls:
        secret_filter.add(url)
    results = [send(url) for url in urls]
    assert [r.ok for r in results] == [True, False, True, False, False]
    shown = [mask_url(url) for url in urls] + [check_channel(url) or "" for url in urls]
    shown += [f"{r.message} {r.channel} {r.kind}" for r in results]
    assert all(SECRET not in text for text in shown), shown
    assert caplog.records, "the sends logged nothing at all"
    logged = [record.getMessage() for record in caplog.records] + [caplog.text]
    assert all(SECRET not in text for text in logged)
    assert any(record.name == "apprise" for record in caplog.records)


class Collect(logging.Handler):
    """A handler of the app's kind (level NOTSET: the logger's level decides)."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_apprise_details_stay_out_of_the_app_log(webhook: Hook) -> None:
    """As after ``logging.basicConfig(level=WARNING)``: the send lowers Apprise's level to
    read its details, but the app's handlers get only what they would have got."""
    root, collect = logging.getLogger(), Collect()
    level, apprise_level = root.level, logging.getLogger("apprise").level
    root.setLevel(logging.WARNING)
    root.addHandler(collect)
    try:
        webhook.status = 404
        assert not send(f"json://{LOOPBACK}:{webhook.port}/hook").ok
    finally:
        root.removeHandler(collect)
        root.setLevel(level)
    assert any("error=404" in message for message in collect.messages)
    assert not any(BODY in message for message in collect.messages)
    assert logging.getLogger("apprise").level == apprise_level
    assert logging.getLogger("apprise").propagate


def test_the_filter_masks_what_is_logged(
    caplog: pytest.LogCaptureFixture, secret_filter: SecretFilter
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_filter.add(f"ntfys://ntfy.sh/holdspace?token={SECRET}")
    logging.getLogger("holdspace.test").warning("the token is %s, quoted %s", SECRET, SECRET)
    logging.getLogger("holdspace").info(f"inline {SECRET}")
    try:
        raise RuntimeError(f"failed with {SECRET}")
    except RuntimeError:
        logging.getLogger("elsewhere").exception("oops")
    mine = [r.getMessage() for r in caplog.records if r.name.startswith("holdspace")]
    assert mine == ["the token is ***, quoted ***", "inline ***"]
    assert SECRET not in caplog.text
    assert "RuntimeError: failed with ***" in caplog.text


def test_the_filter_ignores_unregistered_text() -> None:
    scrubber = SecretFilter()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("text",), None)
    assert scrubber.filter(record)
    assert record.getMessage() == "plain text"
    assert scrubber.scrub("no secrets here") == "no secrets here"


SLACK_TOKEN = "S3cr3tToken9f2xyzABCdefg"  # Slack's tokens are letters and digits only
CHANNELS = [
    (f"mailto://sam:{SECRET}@example.org", "e-mail", "mailto://sam:***@example.org"),
    (
        f"mailtos://sam:{SECRET}@mail.example.org:465?to=kim@example.org",
        "e-mail",
        "mailtos://sam:***@mail.example.org:465?to=kim@example.org",
    ),
    (
        f"matrixs://sam:{SECRET}@matrix.example.org/!room:example.org",
        "Matrix",
        "matrixs://sam:***@matrix.example.org/!room:example.org",
    ),
    (
        f"matrix://{SECRET}@matrix.example.org/#team",
        "Matrix",
        "matrix://***@matrix.example.org/#team",
    ),
    (
        f"signals://sam:{SECRET}@signal.example.org/+12345678901/+12345678902",
        "Signal",
        "signals://sam:***@signal.example.org/+12345678901/+12345678902",
    ),
    (
        f"slack://T1JJ3T3L2/A1BRTD4JD/{SLACK_TOKEN}/#general",
        "Slack",
        "slack://***/***/***/#general",
    ),
    (
        f"msteams://team/8f2a1c3e-aaaa-bbbb-cccc-111122223333/{SECRET}/",
        "Teams",
        "msteams://team/***/***/",
    ),
    (f"ntfys://ntfy.sh/holdspace?token=tk_{SECRET}", "ntfy", "ntfys://ntfy.sh/***?token=***"),
    (
        f"ntfy://sam:{SECRET}@ntfy.example.org/topic",
        "ntfy",
        "ntfy://sam:***@ntfy.example.org/***",
    ),
    (f"tgram://123456789:AA{SECRET}abcdefghijkl/12345678", "Telegram", "tgram://***/12345678"),
    (f"json://{LOOPBACK}:8080/hook/{SECRET}", "JSON webhook", f"json://{LOOPBACK}:8080/***/***"),
    (
        f"jsons://sam:{SECRET}@hooks.example.org/notify",
        "JSON webhook",
        "jsons://sam:***@hooks.example.org/***",
    ),
]


@pytest.mark.parametrize(("url", "kind", "masked"), CHANNELS)
def test_kind_and_mask_of_each_channel(url: str, kind: str, masked: str) -> None:
    assert channel_kind(url) == kind
    assert mask_url(url) == masked
    secrets = secrets_of(url)
    assert any(SECRET in secret or SLACK_TOKEN in secret for secret in secrets)
    assert all(len(secret) >= 4 for secret in secrets)
    assert not any(secret in mask_url(url) for secret in secrets)


def test_apprise_understands_the_current_channels() -> None:
    understood = [url for url, _, _ in CHANNELS if check_channel(url) is None]
    # Apprise 2 retired msteams:// (Microsoft closed Office 365 connectors): use workflows://.
    assert len(understood) == len(CHANNELS) - 1
    assert check_channel(CHANNELS[6][0]) == (
        "Holdspace does not recognise the channel address msteams://team/***/***/: "
        "check it against the Apprise list of services."
    )


def test_a_url_apprise_cannot_read_is_masked_conservatively() -> None:
    assert mask_url(f"mailto2://sam:{SECRET}@x.example.org:25/a/b?k=v#f") == (
        "mailto2://sam:***@x.example.org:25/***/***?***#***"
    )
    assert mask_url(f"nope://{SECRET}@host.example.org") == "nope://***@host.example.org"
    assert mask_url("not a url at all") == "***"
    assert mask_url("mailto://sam:pw@127.0.0.1:25") == "mailto://sam:***@127.0.0.1:25"


# --- masking: every path segment and query value, except the safe list ----------------------


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        # A word with no digits is a secret too when it sits in the path (issue 16, item 13).
        (
            f"json://{LOOPBACK}:8080/webhook/ourclinicsecret",
            f"json://{LOOPBACK}:8080/***/***",
        ),
        (
            "jsons://hooks.example.org/api/ourclinicsecret?method=POST&sig=abc&x=plain",
            "jsons://hooks.example.org/***/***?method=***&sig=***&x=***",
        ),
        (
            "mailtos://sam:pw@mail.example.org:465?to=kim@example.org&from=sam@example.org"
            "&name=Sam&mode=ssl&secret=lettersonly",
            "mailtos://sam:***@mail.example.org:465?to=kim@example.org&from=sam@example.org"
            "&name=Sam&mode=ssl&secret=***",
        ),
        ("ntfys://ntfy.sh/ourclinictopic", "ntfys://ntfy.sh/***"),
        (
            "signal://localhost:8080/+12345678901/+12345678902",
            "signal://localhost:8080/+12345678901/+12345678902",
        ),
        (
            "matrixs://sam:pw@matrix.example.org/!room:example.org/#team:example.org",
            "matrixs://sam:***@matrix.example.org/!room:example.org/#team:example.org",
        ),
    ],
)
def test_every_path_segment_and_query_value_is_masked_but_the_safe_list(
    url: str, masked: str
) -> None:
    assert mask_url(url) == masked


def test_a_long_masked_path_word_is_scrubbed_from_logs_too(secret_filter: SecretFilter) -> None:
    url = f"json://{LOOPBACK}:8080/webhook/ourclinicsecret"
    assert "ourclinicsecret" in secrets_of(url)
    secret_filter.add(url)
    assert secret_filter.scrub("POST /webhook/ourclinicsecret") == "POST /webhook/***"


def test_secret_holding_types_have_a_masked_repr() -> None:
    from rich.pretty import pretty_repr  # what Textual's crash report prints locals with

    from companion.connect.colleagues import Colleague, ColleagueBook
    from companion.connect.secrets import parse_channel
    from tui.screens.colleagues import NewColleague

    url = f"json://sam:{SECRET}@{LOOPBACK}:8080/webhook/ourclinicsecret"
    colleague = Colleague(name="Sam", channels=(url,))
    answer = NewColleague(name="Sam", channel=url, role="peer", rhythm="")
    shown = [repr(colleague), repr(ColleagueBook((colleague,))), repr(parse_channel(url))]
    shown += [repr(answer), pretty_repr(colleague), pretty_repr(answer)]  # as a crash report
    for text in shown:
        assert SECRET not in text and "ourclinicsecret" not in text, text
    assert mask_url(url) in repr(colleague)


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING])
def test_message_bodies_stay_out_of_the_log_at_every_level(webhook: Hook, level: int) -> None:
    """As after ``holdspace --log-level debug``: Apprise logs the payload at DEBUG."""
    root, collect = logging.getLogger(), Collect()
    saved = root.level
    root.setLevel(level)
    root.addHandler(collect)
    try:
        assert send(f"json://{LOOPBACK}:{webhook.port}/hook").ok
        webhook.status = 500
        assert not send(f"json://{LOOPBACK}:{webhook.port}/hook").ok
    finally:
        root.removeHandler(collect)
        root.setLevel(saved)
    assert collect.messages
    assert not any(BODY in m or "heavy one" in m for m in collect.messages), collect.messages
