"""Turn every failure a person can meet on the Bluetooth path into one plain sentence.

:func:`explain_ble_error` maps the exceptions Bleak 3.1 (and dbus-fast beneath it) raise to a
:class:`StrapError` whose message is one sentence with a way forward, never a traceback. It returns
``None`` for anything it does not recognise, so the caller can let a real bug surface.

The failures, as probed on Linux with Bleak 3.1.0:

- no system D-Bus (containers, WSL): a bare :class:`FileNotFoundError` raised by dbus-fast's socket
  connect, with neither a file name nor a message that names D-Bus; it is recognised by the
  traceback passing through ``dbus_fast`` (or by a message that mentions the bus socket);
- D-Bus but no bluetoothd: ``BleakDBusError`` ``org.freedesktop.DBus.Error.ServiceUnknown``;
- no adapter, adapter off, permission denied: ``BleakBluetoothNotAvailableError``, read through
  its ``.reason`` (its ``str()`` is a tuple);
- strap absent: ``BleakDeviceNotFoundError``, or ``None`` from Bleak's find functions
  (see :func:`strap_not_found`);
- pairing required and other ATT errors: ``BleakGATTProtocolError`` with ``.code``
  (Bluetooth Core Specification 5.2, vol. 3, part F, section 3.4.1.1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final, Literal

from bleak.exc import (
    PROTOCOL_ERROR_CODES,
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakCharacteristicNotFoundError,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
    BleakGATTProtocolErrorCode,
)

from sensors.ble.uuids import HEART_RATE_MEASUREMENT

__all__ = [
    "StrapError",
    "StrapErrorState",
    "explain_ble_error",
    "strap_not_found",
]


StrapErrorState = Literal[
    "no-bluetooth-service",
    "no-adapter",
    "bluetooth-off",
    "permission-denied",
    "not-found",
    "pairing-required",
    "pairing-failed",
    "busy",
    "timeout",
    "not-a-strap",
    "gatt-error",
    "bluetooth-error",
]
"""What kind of failure a :class:`StrapError` reports, for a UI state such as ``-bluetooth-off``."""

_DEMO: Final = "run `holdspace demo` to try Holdspace without a strap"
_PAIR: Final = "`holdspace record --pair`"
_WAKE: Final = "wet the strap's electrodes so it wakes up"
_MAX_DETAIL_CHARS: Final = 120

_DBUS_SOCKET_HINTS: Final = ("system_bus_socket", "dbus")
_DBUS_MODULE_PREFIXES: Final = ("dbus_fast", "bleak.backends.bluezdbus")

_PAIRING_CODES: Final = frozenset(
    {
        BleakGATTProtocolErrorCode.INSUFFICIENT_AUTHENTICATION,
        BleakGATTProtocolErrorCode.INSUFFICIENT_AUTHORIZATION,
        BleakGATTProtocolErrorCode.INSUFFICIENT_ENCRYPTION_KEY_SIZE,
        BleakGATTProtocolErrorCode.INSUFFICIENT_ENCRYPTION,
    }
)

_R = BleakBluetoothNotAvailableReason
_NOT_AVAILABLE: Final[Mapping[BleakBluetoothNotAvailableReason, tuple[str, StrapErrorState]]] = {
    _R.NO_BLUETOOTH: (
        f"No Bluetooth adapter was found on this machine; plug one in, or {_DEMO}.",
        "no-adapter",
    ),
    _R.NO_BLE_CENTRAL_ROLE: (
        "This machine's Bluetooth adapter cannot talk to Bluetooth LE devices such as a strap; "
        f"use a Bluetooth LE adapter, or {_DEMO}.",
        "no-adapter",
    ),
    _R.POWERED_OFF: ("Bluetooth is switched off; switch it on and try again.", "bluetooth-off"),
    _R.DENIED_BY_USER: (
        "Holdspace was not given permission to use Bluetooth; allow your terminal to use "
        "Bluetooth in the system's privacy settings and try again.",
        "permission-denied",
    ),
    _R.DENIED_BY_SYSTEM: (
        "The system does not let this user use Bluetooth; ask an administrator for access "
        f"(on Linux, the `bluetooth` group), or {_DEMO}.",
        "permission-denied",
    ),
    _R.DENIED_BY_UNKNOWN: (
        "Permission to use Bluetooth was denied; allow it in the system's privacy settings "
        "and try again.",
        "permission-denied",
    ),
    _R.UNKNOWN: (
        "Bluetooth is not available right now; check that it is switched on and try again.",
        "bluetooth-off",
    ),
}


class StrapError(Exception):
    """A Bluetooth failure explained in one plain sentence with a way forward.

    Parameters
    ----------
    message : the sentence shown to the person; ends with a period, no newline.
    state : optional hint of the kind of failure, for a UI state; see :data:`StrapErrorState`.
    """

    message: str
    state: StrapErrorState | None

    def __init__(self, message: str, *, state: StrapErrorState | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.state = state

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.message, self.state))


def _rebuild(message: str, state: StrapErrorState | None) -> StrapError:
    return StrapError(message, state=state)


def _strap(device: str | None) -> str:
    return f"the strap {device}" if device else "the strap"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def strap_not_found(device: str | None) -> StrapError:
    """The error for a strap that a scan did not find (Bleak's find functions returned ``None``).

    Parameters
    ----------
    device : the address (or, on macOS, the UUID) that was looked for; ``None`` for "any strap".
    """
    advice = (
        f"{_WAKE}, and close any phone app that holds it "
        "(a strap accepts only one or two connections)"
    )
    if device:
        return StrapError(f"The strap {device} was not found: {advice}.", state="not-found")
    return StrapError(f"No heart-rate strap was found nearby: {advice}.", state="not-found")


def explain_ble_error(exc: BaseException, *, device: str | None = None) -> StrapError | None:
    """Explain a failure of the Bluetooth path in one plain sentence.

    Parameters
    ----------
    exc : the exception raised while scanning, connecting or subscribing.
    device : the strap's address (or macOS UUID) when known; it is named in the message.

    Returns
    -------
    A :class:`StrapError` for a known failure (``exc`` itself when it already is one), or
    ``None`` for anything unrecognised, which the caller should let propagate.
    """
    if isinstance(exc, StrapError):
        return exc
    if isinstance(exc, BleakBluetoothNotAvailableError):
        return _not_available(exc)
    if isinstance(exc, BleakDeviceNotFoundError):
        return strap_not_found(device or exc.identifier or None)
    if isinstance(exc, BleakCharacteristicNotFoundError):
        return _characteristic_missing(exc, device)
    if isinstance(exc, BleakGATTProtocolError):
        return _gatt_error(exc, device)
    if isinstance(exc, BleakDBusError):
        return _dbus_error(exc, device)
    if isinstance(exc, BleakError):
        return _generic_bleak_error(exc)
    if isinstance(exc, TimeoutError):  # asyncio.TimeoutError is TimeoutError since 3.11
        return StrapError(
            f"{_capital(_strap(device))} did not answer in time; {_WAKE}, bring it within a "
            "few metres of this computer, and try again.",
            state="timeout",
        )
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError) and _is_dbus_socket_error(exc):
        return StrapError(
            "No Bluetooth system service was found on this machine (no D-Bus system bus); "
            "to try Holdspace without a strap, run `holdspace demo`.",
            state="no-bluetooth-service",
        )
    return None


def _not_available(exc: BleakBluetoothNotAvailableError) -> StrapError:
    try:
        reason = exc.reason
    except IndexError:  # constructed without a reason: treat as unknown
        reason = BleakBluetoothNotAvailableReason.UNKNOWN
    message, state = _NOT_AVAILABLE.get(reason, _NOT_AVAILABLE[_R.UNKNOWN])
    return StrapError(message, state=state)


def _characteristic_missing(
    exc: BleakCharacteristicNotFoundError, device: str | None
) -> StrapError:
    spec = exc.char_specifier
    if str(spec).lower() in {"2a37", "0x2a37", HEART_RATE_MEASUREMENT}:
        who = device if device else "This device"
        return StrapError(
            f"{who} has no heart-rate measurement characteristic; it is not a heart-rate strap.",
            state="not-a-strap",
        )
    return StrapError(
        f"{_capital(_strap(device))} does not offer the Bluetooth characteristic {spec}; "
        "take it off for a minute so it restarts, then try again.",
        state="gatt-error",
    )


def _gatt_error(exc: BleakGATTProtocolError, device: str | None) -> StrapError:
    try:
        code = exc.code
    except (IndexError, ValueError, TypeError):
        return _generic_bleak_error(exc)
    name = PROTOCOL_ERROR_CODES.get(int(code), "Unknown code")
    label = name if "0x" in name else f"{name}, 0x{int(code):02X}"
    if code in _PAIRING_CODES:
        return StrapError(
            f"{_capital(_strap(device))} must be paired before it shares heart-rate data "
            f"({label}); pair it once with {_PAIR}.",
            state="pairing-required",
        )
    return StrapError(
        f"{_capital(_strap(device))} answered with a GATT error ({label}); reconnect, and if "
        "it happens again take the strap off for a minute so it restarts.",
        state="gatt-error",
    )


def _dbus_error(exc: BleakDBusError, device: str | None) -> StrapError:
    name = str(exc.args[0]) if exc.args else ""
    short = name.rsplit(".", 1)[-1] or "unknown error"
    details = str(exc.args[1]) if len(exc.args) > 1 else ""
    strap = _strap(device)
    if name == "org.freedesktop.DBus.Error.ServiceUnknown":
        return StrapError(
            "The Bluetooth service (bluetoothd) is not running; start it with "
            f"`sudo systemctl start bluetooth`, or {_DEMO}.",
            state="no-bluetooth-service",
        )
    if name == "org.freedesktop.DBus.Error.AccessDenied":
        return StrapError(
            "This user may not use Bluetooth through the system bus; ask an administrator for "
            f"access (the `bluetooth` group on most systems), or {_DEMO}.",
            state="permission-denied",
        )
    if name in {"org.freedesktop.DBus.Error.UnknownObject", "org.bluez.Error.DoesNotExist"}:
        return strap_not_found(device)
    if name == "org.bluez.Error.NotPermitted" or name == "org.bluez.Error.NotAuthorized":
        if "pair" in details.lower() or name == "org.bluez.Error.NotAuthorized":
            return StrapError(
                f"{_capital(strap)} must be paired before it shares heart-rate data; "
                f"pair it once with {_PAIR}.",
                state="pairing-required",
            )
        return StrapError(
            f"Bluetooth did not permit the request to {strap} ({short}); pair it with {_PAIR}, "
            "or remove it from the system's Bluetooth settings and try again.",
            state="pairing-required",
        )
    if name.startswith("org.bluez.Error.Authentication"):
        return StrapError(
            f"Pairing with {strap} failed ({short}); remove it from the system's Bluetooth "
            f"settings, {_WAKE}, and run {_PAIR} again.",
            state="pairing-failed",
        )
    if name in {"org.bluez.Error.InProgress", "org.bluez.Error.AlreadyExists"}:
        return StrapError(
            f"Bluetooth is still busy with {strap} ({short}); wait a few seconds and try again.",
            state="busy",
        )
    if name == "org.bluez.Error.NotReady":
        return StrapError(
            "The Bluetooth adapter is not ready; switch Bluetooth on and try again.",
            state="bluetooth-off",
        )
    if name in {"org.bluez.Error.Failed", "org.bluez.Error.NotConnected"}:
        return StrapError(
            f"Bluetooth could not keep a connection to {strap} ({short}); {_WAKE}, bring it "
            "closer, and try again.",
            state="bluetooth-error",
        )
    return StrapError(
        f"Bluetooth refused the request ({short}); take the strap off for a minute so it "
        f"restarts and try again, or {_DEMO}.",
        state="bluetooth-error",
    )


def _generic_bleak_error(exc: BleakError) -> StrapError:
    detail = _one_clause(" ".join(str(arg) for arg in exc.args if isinstance(arg, str)))
    what = f"Bluetooth reported an error ({detail})" if detail else "Bluetooth reported an error"
    return StrapError(
        f"{what}; take the strap off for a minute so it restarts and try again.",
        state="bluetooth-error",
    )


def _one_clause(text: str) -> str:
    """Squeeze free error text into a clause: one line, no sentence breaks, bounded length."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"[.!?]+(\s|$)", lambda m: "," + m.group(1) if m.group(1) else "", text)
    text = text.rstrip(" ,;:")
    if len(text) > _MAX_DETAIL_CHARS:
        text = text[: _MAX_DETAIL_CHARS - 1].rstrip() + "…"
    return text


def _is_dbus_socket_error(exc: OSError) -> bool:
    """Whether an ``OSError`` comes from connecting to the D-Bus system bus.

    dbus-fast's ``sock_connect`` raises a bare ``[Errno 2] No such file or directory`` without a
    file name, so the message alone cannot tell it from any other missing file: look at the
    file name and message first, then at the modules the traceback passed through.
    """
    named = " ".join(str(part) for part in (exc, exc.filename, exc.filename2) if part)
    if any(hint in named.lower() for hint in _DBUS_SOCKET_HINTS):
        return True
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if isinstance(module, str) and module.startswith(_DBUS_MODULE_PREFIXES):
            return True
        tb = tb.tb_next
    return False
