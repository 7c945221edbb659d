"""Polar's Measurement Data service over Bleak: the control-point client (:mod:`.client`)
and the supervisor's ECG and accelerometer streams (:mod:`.streams`)."""
