"""The worlds the mock serves: a seeded Faker world (`builder`) or one built from a recording
(`recorded`). They read the named cases from `accelevents_mock.contract.cases` and import nothing of
the server."""
