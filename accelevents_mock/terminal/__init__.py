"""What the commands say on a terminal: a mistake as one line with exit code 2 (`usage`), and
the progress of a long run (`progress`, with rich)."""
