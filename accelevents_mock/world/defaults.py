"""The generated world's defaults: one place for the command, the config and the pytest plugin
(which reads them without importing Faker or the builder)."""

DEFAULT_SEED = 42
DEFAULT_SESSIONS = 36
GENERATED_ATTENDEES = 40  # default crowd of ticket holders (`--attendees`)
