from netops.cli import main

main()
