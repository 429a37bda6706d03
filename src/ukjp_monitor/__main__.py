from ukjp_monitor.cli import main

main()
