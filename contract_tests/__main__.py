from contract_tests.cli import main

main()
