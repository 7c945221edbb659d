"""The chest stage: what a Polar H10's ECG and accelerometer add to each minute
(:mod:`.minutes`), the costly part run in a worker (:mod:`.work`), and a whole file's
samples for ``holdspace analyze`` (:mod:`.recording`)."""
