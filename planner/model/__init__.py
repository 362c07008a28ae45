"""The optimisation model: from a scenario's needs to a solved schedule.

Its modules, in the order of the flow::

    requirements  the forecast turned into needs per section, period, kind and language
    index         the sparse index: which deployments, starts and rules exist, as tables
    families/     the model's column and row families, each rule written once
    keys          sizes and objective terms (``planner.columns`` holds the key columns)
    options       ``SolveOptions`` and ``Status``: imports neither Pyomo nor HiGHS
    results       ``SolveResult`` and the solution's tables
    pyomo_model   the model of record, built from the families as Pyomo algebra
    pyomo_solve   solving the model of record with HiGHS
    matrix        the same model as sparse matrices, built from the same families
    highs_load    HiGHS instances loaded with a matrix model
    highs         solving the matrices with HiGHS, and re-solving when only data changes
    start         a first whole-unit plan from the linear relaxation
    progress      watching a whole-unit solve: progress, a stop on request, how it ended
    diagnose      an infeasible model explained in planner terms from HiGHS's IIS

Only ``pyomo_model``, ``pyomo_solve``, ``highs``, ``highs_load``, ``start`` and
``diagnose`` import Pyomo or highspy; everything downstream takes its types from
``options``, ``results`` and ``keys``.
"""
