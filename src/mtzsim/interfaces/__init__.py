"""The edges people use: the run service, the command line and (later) the web app."""
