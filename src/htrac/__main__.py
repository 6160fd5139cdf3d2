from htrac.cli.main import main

main()
