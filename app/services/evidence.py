"""Evidence (minh chứng) use cases, in one place for the UI, the command line and the other areas.

The work is done in `app/evidence/` (store, type checks, library, import, integrity, carry-over);
this module is the stable entry point other teams code against, e.g. the `cdht check` command calls
`verify_evidence_files` and `repair_evidence`, and `year add` calls the carry-over functions.
"""

from __future__ import annotations

from app.evidence.carry import CarryCandidate, carry_over_candidates, carry_over_evidence
from app.evidence.importer import (
    DEFAULT_MAX_SIZE_MB,
    DUPLICATE,
    IMPORTED,
    MAX_SIZE_SETTING,
    REFUSED,
    SKIPPED,
    STATUS_LABELS,
    ImportResult,
    expand_sources,
    import_files,
    max_file_bytes,
    summarize,
)
from app.evidence.integrity import (
    ALTERED,
    DANGLING_LINK,
    MISSING,
    ORPHAN_FILE,
    EvidenceProblem,
    EvidenceRepair,
    can_repair,
    recover_interrupted_imports,
    repair_evidence,
    verify_evidence_files,
)
from app.evidence.library import (
    EDITABLE_FIELDS,
    UNLINKED,
    EvidenceItem,
    TrashReport,
    copy_for_opening,
    date_warning,
    empty_trash,
    evidence_counts,
    find_by_code,
    get_evidence,
    indicator_evidence,
    link_evidence,
    list_evidence,
    no_evidence_explanation,
    remove_evidence,
    restore_evidence,
    search_evidence,
    set_no_evidence_explanation,
    stored_file,
    unlink_evidence,
    update_evidence,
)
from app.evidence.store import evidence_root, stored_path

__all__ = [
    "EvidenceProblem", "EvidenceRepair", "verify_evidence_files", "repair_evidence", "can_repair",
    "recover_interrupted_imports",
    "MISSING", "ALTERED", "ORPHAN_FILE", "DANGLING_LINK",
    "ImportResult", "import_files", "expand_sources", "summarize", "max_file_bytes", "MAX_SIZE_SETTING",
    "DEFAULT_MAX_SIZE_MB", "STATUS_LABELS", "IMPORTED", "DUPLICATE", "REFUSED", "SKIPPED",
    "EvidenceItem", "TrashReport", "UNLINKED", "EDITABLE_FIELDS", "list_evidence", "search_evidence",
    "get_evidence", "find_by_code", "indicator_evidence", "evidence_counts", "stored_file", "copy_for_opening",
    "update_evidence", "link_evidence", "unlink_evidence", "set_no_evidence_explanation", "no_evidence_explanation",
    "remove_evidence", "restore_evidence", "empty_trash", "date_warning",
    "CarryCandidate", "carry_over_candidates", "carry_over_evidence",
    "evidence_root", "stored_path",
]
