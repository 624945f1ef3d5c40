"""Every feature's models, imported so metadata and migrations see them all."""
from scrutiny.audit.models import AuditEvent  # noqa: F401
from scrutiny.auth.models import User  # noqa: F401
from scrutiny.branding.models import CouncilLogo  # noqa: F401
from scrutiny.data_versions import DataVersion  # noqa: F401
from scrutiny.community.models import ConversationRequest, DiscussionEvent, EventSignup  # noqa: F401
from scrutiny.documents.models import Document  # noqa: F401
from scrutiny.evidence.models import EvidenceFile, Submission  # noqa: F401
from scrutiny.findings.models import (  # noqa: F401
    Comment,
    Draft,
    DraftVote,
    Finding,
    FindingEvidence,
    QualityOverride,
    Recommendation,
    ReportSection,
    ReportSettings,
)
from scrutiny.groups.models import LineOfEnquiry, StatusChange, Theme, TopicGroup  # noqa: F401
from scrutiny.invitations.models import Invitation  # noqa: F401
from scrutiny.organisations.models import Organisation  # noqa: F401
from scrutiny.outbox.models import Email  # noqa: F401
from scrutiny.portal.models import PortalSession  # noqa: F401
from scrutiny.publication.models import (  # noqa: F401
    Clearance, Follower, Publication, PublicationEvent, Redaction)
from scrutiny.responses.models import ResponseDue  # noqa: F401
from scrutiny.sessions.models import EvidenceSession, SessionSlot  # noqa: F401
from scrutiny.surveys.models import (  # noqa: F401
    Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse)
