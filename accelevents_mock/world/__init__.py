"""The worlds the mock serves: a seeded Faker world (`builder`) or one built from a recording
(`recorded`). They read the named cases from `accelevents_mock.contract.cases` and import nothing of
the server."""


class RecordingError(ValueError):
    """A --world folder that holds no recording this mock can serve: says which and why, in one
    line (`recorded.load_recording`, `recorded.build_recorded_world`)."""
