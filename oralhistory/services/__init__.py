"""Rules and work: plain values in, plain data out, no Flask; they run the same from the command line, a test or a view."""
