"""The command line: its commands, what it prints, and the demo."""
