from hrap.cli import main

main()
