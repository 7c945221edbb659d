"""An emulated chest strap on a virtual Bluetooth radio (Google's Bumble).

:class:`~sensors.emulated.radio.VirtualRadio` is a Bluetooth LE link in this
process: virtual controllers that exchange real HCI, link-layer, ATT and GATT
traffic. :class:`~sensors.emulated.strap.EmulatedStrap` is a Bumble device on it
serving the Heart Rate, Battery and Device Information services, and
:mod:`sensors.emulated.backend` is a Bleak backend on a second Bumble device,
so the application's unmodified Bleak code scans, connects and subscribes to
it. This powers ``holdspace demo`` and the tests of the strap path.
"""
