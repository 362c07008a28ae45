"""Reports of plans and runs: on the terminal, and as one self-contained HTML page.

Its modules, in the order of the flow::

    tables     terminal tables that wrap or fold, never cut a number or an id
    terminal   everything the command line prints
    runs_data  what the page shows, read from run records
    svg        figures as inline SVG: the drawing machinery and its style
    plots      each plot of the page
    html       the page itself: its sections, tables and style sheet
"""
