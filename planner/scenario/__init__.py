"""Scenarios: what a planner writes down, read, checked and varied before any solve.

Its modules, in the order of the flow::

    records         the rows and settings a scenario is made of (pydantic records)
    tables          the table registry: names, row records, keys, which may be absent
    checks          the checks across tables: references, windows, baselines
    schema          ``Scenario``: settings, tables and checks as one validated record
    read            loading a folder (scenario.yaml plus CSV) or one Excel workbook
    write_folder    writing a scenario as a folder
    write_workbook  writing a scenario, or an empty template, as a workbook
    variants        what-if variants and ``--set`` overrides of a base scenario
    baseline        re-planning around an approved plan: what is kept, what a change costs
    cohorts         a whole-unit schedule as cohorts of units that arrive and leave together
    countries       the ISO 3166-1 alpha-3 country codes
    generate        synthetic scenarios of controlled size for benchmarks and tests
"""
