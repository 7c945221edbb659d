"""A diagnostic bundle for a bug report about a strap: ``holdspace diagnose``.

No machine where Holdspace is built has a Bluetooth radio, so what a real strap does is
checked by people who own one (``docs/hardware-checklist.md``). The bundle they attach
holds what a maintainer needs and nothing of the helper's day: the software's versions
(:mod:`~companion.diagnose.versions`), the adapter's state
(:mod:`~companion.diagnose.adapter`), the strap's GATT table
(:mod:`~companion.diagnose.gatt`), a short raw recording of its packets
(:mod:`~companion.diagnose.capture`), and the tail of the log with every secret masked
(:mod:`~companion.diagnose.logtail`). :mod:`~companion.diagnose.bundle` runs the steps and
writes the file; :mod:`~companion.diagnose.access` says how the strap is reached (the
system's Bluetooth, or the emulated strap on a virtual radio).

Never in it: session labels, notes, check-ins, colleagues, channels. Nothing here opens the
store; the recording comes from the strap supervisor, which never produces a session event.
"""
