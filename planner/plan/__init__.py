"""Plans: a solve's values as the schedule, the shortfalls and the summary, and their files.

Its modules, in the order of the flow::

    explain  why each shortfall is short: every reason that holds, with its evidence
    plan     ``Plan``: schedule, coverage, shortfalls, explanations and summary
    outputs  schedule.csv, shortfalls.csv, summary.json and plan.xlsx, written whole
"""
