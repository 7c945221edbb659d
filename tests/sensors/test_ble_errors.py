"""Every Bluetooth failure becomes one plain sentence with a way forward, built from real Bleak
exception objects (Bleak 3.1), never from their ``str()``."""

from __future__ import annotations

import asyncio
import pickle
import uuid
from pathlib import Path

import pytest
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakCharacteristicNotFoundError,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
    BleakGATTProtocolErrorCode,
)

from sensors.ble.errors import StrapError, explain_ble_error, strap_not_found

ADDR = "C6:05:04:03:02:01"
PAIR_CMD = "holdspace record --pair"
Reason = BleakBluetoothNotAvailableReason
Code = BleakGATTProtocolErrorCode


def sentence(exc: BaseException, device: str | None = None) -> StrapError:
    """Explain ``exc`` and check the message is one plain sentence ending in its only period."""
    err = explain_ble_error(exc, device=device)
    assert err is not None, f"{exc!r} was not recognised"
    assert str(err) == err.message
    assert "\n" not in err.message
    assert "Traceback" not in err.message
    assert err.message.endswith(".")
    assert err.message.count(".") == 1, err.message
    assert err.message[0].isupper()
    return err


async def _connect_to_missing_socket(path: Path) -> None:
    from dbus_fast.aio import MessageBus

    await MessageBus(bus_address=f"unix:path={path}").connect()


def test_no_system_dbus_from_real_dbus_fast_error(tmp_path: Path) -> None:
    # What Bleak raises in a container or WSL: dbus-fast's bare FileNotFoundError, no file name.
    with pytest.raises(FileNotFoundError) as info:
        asyncio.run(_connect_to_missing_socket(tmp_path / "no-socket-here"))
    assert info.value.filename is None
    err = sentence(info.value)
    assert "holdspace demo" in err.message
    assert "D-Bus" in err.message
    assert err.state == "no-bluetooth-service"


def test_no_system_dbus_from_message_naming_the_socket() -> None:
    exc = FileNotFoundError(2, "No such file or directory", "/var/run/dbus/system_bus_socket")
    assert "holdspace demo" in sentence(exc).message
    assert "holdspace demo" in sentence(FileNotFoundError("/run/dbus/system_bus_socket")).message


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bad value"),
        FileNotFoundError(2, "No such file or directory", "/home/me/notes.txt"),
        FileNotFoundError("settings.toml"),
        KeyError("dbus"),
        RuntimeError("boom"),
        asyncio.CancelledError(),
        KeyboardInterrupt(),
    ],
)
def test_unrelated_exceptions_are_not_explained(exc: BaseException) -> None:
    assert explain_ble_error(exc) is None
    assert explain_ble_error(exc, device=ADDR) is None


def test_bluetoothd_not_running() -> None:
    exc = BleakDBusError(
        "org.freedesktop.DBus.Error.ServiceUnknown",
        ["The name org.bluez was not provided by any .service files"],
    )
    err = sentence(exc)
    assert "sudo systemctl start bluetooth" in err.message
    assert "holdspace demo" in err.message
    assert err.state == "no-bluetooth-service"


@pytest.mark.parametrize(
    ("name", "body", "phrase", "state"),
    [
        (
            "org.bluez.Error.NotPermitted",
            ["Not paired"],
            "holdspace record --pair",
            "pairing-required",
        ),
        ("org.bluez.Error.NotPermitted", [], PAIR_CMD, "pairing-required"),
        ("org.bluez.Error.NotAuthorized", [], "must be paired", "pairing-required"),
        ("org.bluez.Error.AuthenticationFailed", [], "Pairing with", "pairing-failed"),
        ("org.bluez.Error.AuthenticationCanceled", [], "AuthenticationCanceled", "pairing-failed"),
        ("org.bluez.Error.InProgress", ["Operation already in progress"], "busy", "busy"),
        ("org.bluez.Error.NotReady", [], "switch Bluetooth on", "bluetooth-off"),
        (
            "org.bluez.Error.Failed",
            ["le-connection-abort-by-local"],
            "connection",
            "bluetooth-error",
        ),
        ("org.freedesktop.DBus.Error.AccessDenied", [], "bluetooth` group", "permission-denied"),
        ("org.freedesktop.DBus.Error.UnknownObject", [], "was not found", "not-found"),
        (
            "org.bluez.Error.Frobnicated",
            ["odd. detail."],
            "refused the request (Frobnicated)",
            None,
        ),
    ],
)
def test_dbus_errors(name: str, body: list[str], phrase: str, state: str | None) -> None:
    err = sentence(BleakDBusError(name, body), device=ADDR)
    assert phrase in err.message
    assert state is None or err.state == state
    assert "org." not in err.message  # only the short name, never the full D-Bus path


@pytest.mark.parametrize(
    ("reason", "phrase", "demo"),
    [
        (Reason.NO_BLUETOOTH, "No Bluetooth adapter was found", True),
        (Reason.NO_BLE_CENTRAL_ROLE, "cannot talk to Bluetooth LE", True),
        (Reason.POWERED_OFF, "Bluetooth is switched off; switch it on and try again.", False),
        (Reason.DENIED_BY_USER, "permission", False),
        (Reason.DENIED_BY_SYSTEM, "administrator", True),
        (Reason.DENIED_BY_UNKNOWN, "denied", False),
        (Reason.UNKNOWN, "not available", False),
    ],
)
def test_bluetooth_not_available_uses_the_reason(
    reason: BleakBluetoothNotAvailableReason, phrase: str, demo: bool
) -> None:
    exc = BleakBluetoothNotAvailableError("No powered Bluetooth adapters found. Turn on.", reason)
    err = sentence(exc)
    assert phrase in err.message
    assert ("holdspace demo" in err.message) is demo
    assert "(" not in err.message or "bluetooth` group" in err.message  # never the args tuple


def test_every_reason_has_a_sentence() -> None:
    """Each reason Bleak knows has a sentence of its own: none falls back on another's (the
    UNKNOWN reason's sentence is the fallback, so a reason added in a later Bleak shows up)."""
    messages = {
        reason: sentence(BleakBluetoothNotAvailableError("x", reason)).message for reason in Reason
    }
    fallback = messages[Reason.UNKNOWN]
    borrowed = [
        reason.name
        for reason in Reason
        if reason != Reason.UNKNOWN and messages[reason] == fallback
    ]
    assert not borrowed, f"no sentence of their own: {borrowed}"
    assert len(set(messages.values())) == len(messages), "two reasons share one sentence"


def test_device_not_found_names_the_address_and_the_way_forward() -> None:
    err = sentence(BleakDeviceNotFoundError(ADDR, f"Device with address {ADDR} was not found."))
    assert err.message.startswith(f"The strap {ADDR} was not found: wet the strap's electrodes")
    assert "close any phone app" in err.message
    assert err.state == "not-found"
    assert ADDR in sentence(BleakDeviceNotFoundError("AA:BB"), device=ADDR).message


def test_strap_not_found_from_a_find_function_returning_none() -> None:
    assert strap_not_found(ADDR).message.startswith(f"The strap {ADDR} was not found:")
    anywhere = strap_not_found(None)
    assert anywhere.message.startswith("No heart-rate strap was found nearby:")
    assert "one or two connections" in anywhere.message
    assert anywhere.message.count(".") == 1 and anywhere.message.endswith(".")


@pytest.mark.parametrize(
    "code",
    [
        Code.INSUFFICIENT_AUTHENTICATION,
        Code.INSUFFICIENT_ENCRYPTION,
        Code.INSUFFICIENT_AUTHORIZATION,
        Code.INSUFFICIENT_ENCRYPTION_KEY_SIZE,
    ],
)
def test_gatt_security_errors_ask_for_pairing(code: BleakGATTProtocolErrorCode) -> None:
    err = sentence(BleakGATTProtocolError(code), device=ADDR)
    assert "holdspace record --pair" in err.message
    assert ADDR in err.message
    assert f"0x{int(code):02X}" in err.message
    assert err.state == "pairing-required"


def test_other_gatt_errors_name_the_code_and_a_way_forward() -> None:
    err = sentence(BleakGATTProtocolError(0x06), device=ADDR)
    assert "GATT error (Request Not Supported, 0x06)" in err.message
    assert "reconnect" in err.message
    assert err.state == "gatt-error"
    unknown = sentence(BleakGATTProtocolError(0x42))
    assert "0x42" in unknown.message
    app = sentence(BleakGATTProtocolError(0x80))
    assert "(Application-specific Error 0x80)" in app.message


def test_timeout() -> None:
    exc = TimeoutError()  # asyncio.TimeoutError is the same class since Python 3.11
    err = sentence(exc, device=ADDR)
    assert err.message.startswith(f"The strap {ADDR} did not answer in time;")
    assert sentence(exc).message.startswith("The strap did not answer in time;")


@pytest.mark.parametrize(
    "spec",
    ["00002a37-0000-1000-8000-00805f9b34fb", uuid.UUID("00002a37-0000-1000-8000-00805f9b34fb")],
)
def test_missing_heart_rate_characteristic(spec: str | uuid.UUID) -> None:
    err = sentence(BleakCharacteristicNotFoundError(spec), device=ADDR)
    assert err.message == (
        f"{ADDR} has no heart-rate measurement characteristic; it is not a heart-rate strap."
    )
    assert sentence(BleakCharacteristicNotFoundError(spec)).message.startswith("This device has")


def test_other_missing_characteristic() -> None:
    err = sentence(BleakCharacteristicNotFoundError("00002a19-0000-1000-8000-00805f9b34fb"))
    assert "2a19" in err.message


def test_generic_bleak_error_is_one_clause() -> None:
    exc = BleakError("Something odd happened. Really odd!\nSecond line")
    err = sentence(exc)
    assert "Something odd happened" in err.message
    assert "try again" in err.message
    long_text = sentence(BleakError("x" * 500))
    assert len(long_text.message) < 250
    assert sentence(BleakError()).message.startswith("Bluetooth reported an error;")


def test_strap_error_passes_through_and_pickles() -> None:
    original = StrapError("Bluetooth is switched off; switch it on.", state="bluetooth-off")
    assert explain_ble_error(original) is original
    copy = pickle.loads(pickle.dumps(original))
    assert copy.message == original.message
    assert copy.state == "bluetooth-off"
    assert StrapError("Plain.").state is None
