"""Plans: a solve's values as the schedule, the shortfalls and the summary, and their files.

Its modules, in the order of the flow::

    plan     ``Plan``: schedule, coverage, shortfalls and summary from a ``SolveResult``
    outputs  schedule.csv, shortfalls.csv, summary.json and plan.xlsx, written whole
"""
