"""Motion from the chest accelerometer: activity per minute and the breathing movement."""
