"""The browser app: a static site that runs the same Python core in Pyodide (see `taf web`)."""
