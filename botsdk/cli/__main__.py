from botsdk.cli import main

main()
