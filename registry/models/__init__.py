"""All models, importable from one place (and all registered on `Base.metadata`)."""

from registry.models.accounts import LoginFailure, PasswordReset, RecoveryCode
from registry.models.activity import AuditEntry, OutboxMessage, Watch
from registry.models.base import Base, utcnow
from registry.models.businesses import Business, BusinessAlias, BusinessGstin, PanHolder
from registry.models.claims import BusinessClaim, BusinessToken
from registry.models.complaints import (
    Complaint,
    ComplaintStatus,
    Dispute,
    DisputeReason,
    DisputeStatus,
    EvidenceFile,
    Invoice,
)
from registry.models.idempotency import IdempotentRequest
from registry.models.invoices import TaxDocument, TaxDocumentKind, TaxDocumentSeries
from registry.models.matching import (
    BusinessKey,
    BusinessMerge,
    DuplicatePair,
    NameTokenStat,
    NameVocabulary,
    NormalNameRecord,
    PairStatus,
    SearchIndexChange,
    SearchIndexState,
)
from registry.models.members import (
    ApiKey,
    Member,
    MemberDocument,
    MemberStatus,
    MsmeCategory,
    Role,
    User,
)
from registry.models.payments import (
    GatewayEvent,
    LedgerKind,
    OrderStatus,
    PaymentLedger,
    ReportOrder,
)
from registry.models.privacy import (
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
)
from registry.models.pulls import CREDIT_DECISION, ReportPull, ReportVersion
from registry.models.reports import ReportSnapshot
from registry.models.tools import ColumnMapping, ImportBatch, ImportStatus, Notification

__all__ = [
    "CREDIT_DECISION",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Business",
    "BusinessAlias",
    "BusinessClaim",
    "BusinessGstin",
    "BusinessKey",
    "BusinessMerge",
    "BusinessToken",
    "ColumnMapping",
    "Complaint",
    "ComplaintStatus",
    "Dispute",
    "DisputeReason",
    "DisputeStatus",
    "DuplicatePair",
    "EvidenceFile",
    "GatewayEvent",
    "IdempotentRequest",
    "ImportBatch",
    "ImportStatus",
    "Invoice",
    "LedgerKind",
    "LoginFailure",
    "Member",
    "MemberDocument",
    "MemberStatus",
    "MsmeCategory",
    "NameTokenStat",
    "NameVocabulary",
    "NormalNameRecord",
    "Notification",
    "OrderStatus",
    "OutboxMessage",
    "PairStatus",
    "PanHolder",
    "PasswordReset",
    "PaymentLedger",
    "PrivacyRequest",
    "PrivacyRequestKind",
    "PrivacyRequestStatus",
    "RecoveryCode",
    "ReportOrder",
    "ReportPull",
    "ReportSnapshot",
    "ReportVersion",
    "Role",
    "SearchIndexChange",
    "SearchIndexState",
    "TaxDocument",
    "TaxDocumentKind",
    "TaxDocumentSeries",
    "User",
    "Watch",
    "utcnow",
]
