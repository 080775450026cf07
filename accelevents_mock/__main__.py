"""`python -m accelevents_mock`: the cycle collector is off while the mock starts. The imports, the
world and the app allocate some 120,000 objects, which it would otherwise scan again and again:
about a tenth of the cold start. `accelevents_mock.cli.main` turns it on before serving."""

import gc

gc.disable()

from accelevents_mock.cli import main  # noqa: E402 (after the collector is off)

main()
