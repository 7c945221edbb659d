"""Incremental artifact detection for the live beat stream: the detector
(:mod:`.detector`), one beat's judgement (:mod:`.judge`), beats arriving together
(:mod:`.run`) and the answers (:mod:`.verdicts`)."""
