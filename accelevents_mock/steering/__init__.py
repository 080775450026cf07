"""Steering a call: forced documented errors (`forcing`), injected faults and latency
(`faults`), and whether a call may be steered at all, read cheaply from its scope (`scope`)."""
