"""The ECG: R peaks through NeuroKit2, ectopic beats by QRS shape, ECG-derived respiration."""
