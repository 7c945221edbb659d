"""Polar Measurement Data (PMD): Polar's own GATT service for raw ECG and acceleration.

Pure bytes to frozen dataclasses, no Bluetooth and no I/O: :mod:`sensors.pmd.uuids` (the
service), :mod:`sensors.pmd.control` (control point requests, responses and settings),
:mod:`sensors.pmd.frames` (data frames) and :mod:`sensors.pmd.stream` (frames to timed samples,
the same instance logic live and in replay). The Bluetooth side is
:mod:`sensors.ble.pmd.client`.
"""
