"""RR files of other tools, read into beats: the formats, their readers and the importer.

:mod:`~sensors.rrfiles.importer` turns a file into beats (and a beat source);
:mod:`~sensors.rrfiles.formats` dispatches on the declared format to the readers of
plain text (:mod:`~sensors.rrfiles.text`), Polar Sensor Logger (:mod:`~sensors.rrfiles.polar`)
and Holdspace's own beats CSV (:mod:`~sensors.rrfiles.beatscsv`), with the limits and the
one error they share in :mod:`~sensors.rrfiles.common`.
"""
