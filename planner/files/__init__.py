"""Files in and out: inputs read within limits, outputs written whole, no cell that runs.

Its modules, in the order of the flow::

    reading       input files: regular files only, bounded in size; the one YAML reader
    atomic        outputs written whole or not at all, and only over the planner's own files
    cells         text a spreadsheet would read as a formula, neutralised
    spreadsheets  every CSV file and workbook the planner writes, through ``cells``

Every other stage reads and writes through these modules; none of them knows a scenario.
"""
