"""Activity and hygiene: CloudTrail records attributed and mapped to actions, last accessed,
unused access (Access Analyzer's finding types, plus "not observable"), and credential hygiene
(Prowler / CIS / ScoutSuite checks) joined to reachability."""

from workbench.analyses.activity.attribution import Attribution, attribute
from workbench.analyses.activity.events import AUTHORIZATION_ERRORS, activity_frame, mapping_shares
from workbench.analyses.activity.hygiene import CHECKS, Hygiene, HygieneFinding, Reach, hygiene
from workbench.analyses.activity.last_accessed import last_accessed
from workbench.analyses.activity.mapping import Mapping, map_event
from workbench.analyses.activity.unused import NotObservable, UnusedAccess, UnusedFinding, unused_access

__all__ = ["AUTHORIZATION_ERRORS", "Attribution", "CHECKS", "Hygiene", "HygieneFinding", "Mapping", "NotObservable",
           "Reach", "UnusedAccess", "UnusedFinding", "activity_frame", "attribute", "hygiene", "last_accessed",
           "map_event", "mapping_shares", "unused_access"]
