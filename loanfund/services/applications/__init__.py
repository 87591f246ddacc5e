"""An application beside its steps: the read model and lists, rule checks, progress in plain words, an enterprise's
history, the work queues, confirmations, materials, the green-channel letter, fee quotes."""
