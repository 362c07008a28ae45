"""The planning service: the library behind a REST API, for browsers and command centres.

In flow order:

- ``tokens``: bearer tokens and their roles (viewer, planner, command-centre);
- ``uploads``: scenarios uploaded as a zip of a folder or as a workbook, unpacked safely,
  checked as a run would check them, and kept in the run store;
- ``jobs``: submitted runs solved in a bounded pool of worker processes, their progress
  and cancellation kept in the run store;
- ``app``: the FastAPI application (``planner serve``), every endpoint a thin layer over
  the same library functions the command line calls.
"""
