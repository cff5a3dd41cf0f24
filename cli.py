"""Run the workbook-engine command line from a checkout: ``python cli.py --help``."""

from workbook_engine.cli.commands import main

if __name__ == "__main__":
    main()
