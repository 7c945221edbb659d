"""Chest straps over Bluetooth LE (Bleak)."""
