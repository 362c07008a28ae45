"""The approved plan as command centres import it: versioned, validated, delta by delta.

Its modules, in the order of the flow::

    bundle     approved revisions, the contract bundle, its JSON Schema and deltas
    requests   what each contributor is asked to send: requests.xlsx and CSV files
    calendars  deployments as iCalendar files, per contributor and per section
"""
