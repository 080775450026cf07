"""`python -m mockserver`: the cycle collector is off while the mock starts. The imports, the
world and the app allocate some 120,000 objects, which it would otherwise scan again and again:
about a tenth of the cold start. `mockserver.cli.main` turns it on before serving."""

import gc

gc.disable()

from mockserver.cli import main  # noqa: E402 (after the collector is off)

main()
