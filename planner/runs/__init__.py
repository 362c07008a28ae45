"""Runs: finished plans kept, swept and compared.

Its modules, in the order of the flow::

    records   ``RunRecord``: what went into a run and what came out
    store     ``RunStore``: every run in one SQLite file, safe for several processes
    sweep     the base scenario and its variants, solved in parallel and recorded
    compare   runs side by side: KPIs, shortfalls, deployments, input and schedule changes
    remedies  what would cover a run's largest shortfalls, each change checked by a solve
"""
