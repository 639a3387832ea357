"""Import every feature's models so that Alembic and `flask shell` see the whole schema."""

from pipeline.accounts.models import AccountSetting, AccountToken, RecoveryCode
from pipeline.api.models import ApiCall, ApiClient, ApiRateWindow
from pipeline.audit.models import AuditEvent
from pipeline.auth.models import LoginAttempt, LoginThrottle, Role, User, user_town
from pipeline.certificates.models import Certificate, CertificateBatch, CertificateSeal, VerifyHit
from pipeline.channels.models import (
    ChannelMessage,
    ChannelSwitch,
    NoticeChoice,
    NoticeDefault,
    SmsTemplate,
    UserMobile,
)
from pipeline.dashboard.models import AnnualTarget
from pipeline.documents.models import Document, DocumentType, DocumentVersion
from pipeline.firms.models import Firm, FirmEdit, Industry, ServiceRecord, Town
from pipeline.funnel.models import FirmTrack, PoolCounter, StageMove, StageSetting, Track
from pipeline.imports.models import ImportBatch
from pipeline.indicators.models import FirmFacts, FirmYear
from pipeline.mail.models import OutboxAttachment, OutboxMessage
from pipeline.policies.models import (
    Incentive,
    IncentiveChange,
    Policy,
    PolicyBudget,
    PolicyMatch,
    PolicyOptOut,
)
from pipeline.reminders.models import AnnualReportFiling, HnteBatch, ProgramYear, Reminder, ReminderRule
from pipeline.reports.models import MonthlyReport, ReportRender
from pipeline.scheduler_lease import JobRun, SchedulerLease
from pipeline.tenancy.models import Authority
from pipeline.workbench.models import WorkbenchDone

__all__ = [
    "Firm", "FirmEdit", "FirmTrack", "Industry", "LoginAttempt", "PoolCounter", "Role", "ServiceRecord",
    "StageMove", "StageSetting", "Town", "Track", "User", "user_town",
    "Certificate", "CertificateBatch", "CertificateSeal", "VerifyHit",
]
__all__ += ["AnnualReportFiling", "HnteBatch", "JobRun", "OutboxAttachment", "OutboxMessage", "ProgramYear", "Reminder",
            "ReminderRule", "SchedulerLease"]
__all__ += ["FirmFacts", "FirmYear", "ImportBatch"]
__all__ += ["AnnualTarget", "MonthlyReport", "ReportRender"]
__all__ += ["LoginThrottle"]
__all__ += ["Document", "DocumentType", "DocumentVersion"]
__all__ += ["WorkbenchDone"]
__all__ += ["AccountSetting", "AccountToken", "AuditEvent", "RecoveryCode"]
__all__ += ["ChannelMessage", "ChannelSwitch", "NoticeChoice", "NoticeDefault", "SmsTemplate", "UserMobile"]
__all__ += ["Incentive", "IncentiveChange", "Policy", "PolicyBudget", "PolicyMatch", "PolicyOptOut"]
__all__ += ["Authority"]
__all__ += ["ApiCall", "ApiClient", "ApiRateWindow"]
