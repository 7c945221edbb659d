"""The trends over days: loads (:mod:`.loads`), what followed an act (:mod:`.acts`), the
connection effect (:mod:`.support`), and the whole report read from the store
(:mod:`.report`)."""
