"""External access as IAM Access Analyzer finds it, offline and exact: candidate parties and
conditions read from each policy, every finding confirmed by the evaluator
(https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html)."""

from workbench.analyses.external.analyze import ZONES, external_access
from workbench.analyses.external.archive import ArchiveRule, apply_archive_rules
from workbench.analyses.external.findings import (
    ACTIVE,
    ARCHIVED,
    DeputyWarning,
    Evidence,
    ExternalAccess,
    Finding,
    Suppressed,
)
from workbench.analyses.external.parties import Zone
from workbench.analyses.external.preview import AccessPreview, preview_external_access

__all__ = ["ACTIVE", "ARCHIVED", "AccessPreview", "ArchiveRule", "DeputyWarning", "Evidence",
           "ExternalAccess", "Finding", "Suppressed", "ZONES", "Zone", "apply_archive_rules",
           "external_access", "preview_external_access"]
