"""The names of the key columns that pass from one step to the next.

Requirements, the model's index, the plan, the run store, the comparisons and the reports
all join on these columns; each is spelt once, here. A table's other columns belong to the
step that makes them and are listed with it (``SCHEDULE_COLUMNS``, ``SHORTFALL_COLUMNS``,
``DEPLOYMENT_COLUMNS``).
"""

from __future__ import annotations

SECTION_ID = "section_id"
"""The border section a need, a deployment or a shortfall belongs to."""
PERIOD = "period"
"""The planning period, numbered from 1."""
CONTRIBUTION_ID = "contribution_id"
"""The contribution (what one contributor pledged of one kind) units come from."""
KIND_ID = "kind_id"
"""The kind of resource: an officer profile, a vehicle type or interpreters."""
ITEM_TYPE = "item_type"
"""What a need or shortfall row counts: ``"kind"`` or ``"language"``."""
ITEM_ID = "item_id"
"""The kind or language id a need or shortfall row counts."""

NEED_KEY = [SECTION_ID, PERIOD]
"""The key of a need: where and when."""
DEPLOY_KEY = [CONTRIBUTION_ID, SECTION_ID, PERIOD]
"""The key of a deployment: whose units, where, when."""
