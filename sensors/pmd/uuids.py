"""GATT UUIDs of Polar's Measurement Data service, as Bleak writes them (128-bit, lowercase).

Source: Polar, *Polar Measurement Data Specification for 3rd Party*
(polarofficial/polar-ble-sdk, ``technical_documentation/Polar_Measurement_Data_Specification.pdf``),
"Gatt Service and Characteristics Declaration"; the same values are ``PMD_SERVICE``, ``PMD_CP``
and ``PMD_DATA`` in the SDK's ``BlePMDClient.kt``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["PMD_CONTROL_UUID", "PMD_DATA_UUID", "PMD_SERVICE_UUID"]

PMD_SERVICE_UUID: Final = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
"""The PMD service; served by the Polar H10 (and OH1, Verity Sense), not by the H7 or H9."""
PMD_CONTROL_UUID: Final = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
"""PMD control point: read (features), write (requests), indicate (responses)."""
PMD_DATA_UUID: Final = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"
"""PMD data ("Data MTU characteristic"): notifies one data frame per notification."""
