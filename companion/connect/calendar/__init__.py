"""The calendar import: an iCalendar file cut into parts (:mod:`.split`), each event read
on its own (:mod:`.event`), recurrences expanded within limits (:mod:`.expand`), session
kinds from the helper's rules (:mod:`.rules`), and the day's planned sessions
(:mod:`.ics`)."""
