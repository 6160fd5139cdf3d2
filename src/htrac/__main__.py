from htrac.cli.entry import main

main()
