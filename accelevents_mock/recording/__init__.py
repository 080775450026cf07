"""Recordings of a deployment: the file and its scrubbing (`file`), walking a deployment for
one (`walk`, the `accelevents-mock record` subcommand), and what the proxy saves (`proxied`).
`accelevents_mock.world.recorded` serves one as a world."""
