"""Fault drills: reproduce the incident (and its cousins) and show every detector catching it.

from driftline.drills import DrillOptions, run_drill
result = run_drill("index-drop", DrillOptions(db=None))
result.caught, result.recovered, result.exit_code
"""

from driftline.drills.faults import FAULTS, get_fault
from driftline.drills.runner import DrillOptions, DrillResult, run_drill

__all__ = ["FAULTS", "DrillOptions", "DrillResult", "get_fault", "run_drill"]
