"""One running mock: its state (world, store, service, back end), the run-time controls, the
change log that records, undoes and replays changes, the networking notifier and simulation."""
