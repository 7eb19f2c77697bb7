"""Serializers of the inspections API: what is read (inspections with their team and published
versions, checklists, samples, observations, findings, report sections, reply comments,
assignments, draws) and the inputs of the writes, which the services validate in full.

Choice fields keep one name per choice set across the whole API (`status` of an inspection
only appears on `Inspection`, `result` only on checklist items, `target_kind` only on draws),
so that the OpenAPI schema names each enum once without overrides.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from programs.models import Organization, Program, Student
from training_portal.core.api.serializers import (
    DownloadUrlsMixin,
    ReadOnlyModelSerializer,
    optional_ref,
    optional_text,
)

from ...models import (
    ChecklistItem,
    Draw,
    EvidenceFile,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionTeamMember,
    InspectionType,
    Observation,
    PublishedReport,
    ReplyComment,
    ReportSection,
    SampledStudent,
    Severity,
)

#: Notes, observations and report sections are prose, not documents.
TEXT_LIMIT = 50_000
#: The most students a sample may ask for.
SAMPLE_LIMIT = 500
#: The most targets, students or inspectors per target a draw may ask for.
DRAW_LIMIT = 100

# ---- Inspections ----------------------------------------------------------------------------


class InspectionTeamMemberSerializer(ReadOnlyModelSerializer[InspectionTeamMember]):
    full_name = serializers.CharField(source="inspector.full_name", read_only=True)
    email = serializers.EmailField(source="inspector.email", read_only=True)

    class Meta:
        model = InspectionTeamMember
        fields = ["inspector", "full_name", "email", "is_author"]


class InspectionVersionSerializer(ReadOnlyModelSerializer[PublishedReport]):
    """A published version of the report (its content is on the public API)."""

    class Meta:
        model = PublishedReport
        fields = ["id", "version", "published_at", "change_note", "content_hash", "previous_hash"]


class InspectionPermissionsSerializer(serializers.Serializer[Any]):
    """What the caller may do with the inspection now (its status decides which moves are
    open; the services check again)."""

    start = serializers.BooleanField()
    cancel = serializers.BooleanField()
    conduct = serializers.BooleanField(
        help_text="Checklist, sample, observations, evidence, findings."
    )
    write_report = serializers.BooleanField(
        help_text="Write and revise report sections, answer reply comments."
    )
    open_reply = serializers.BooleanField()
    reply = serializers.BooleanField(help_text="Comment on the draft in the reply window.")
    request_publication = serializers.BooleanField()
    approve = serializers.BooleanField(help_text="Approve the publication or send it back.")
    start_correction = serializers.BooleanField()


class InspectionSerializer(ReadOnlyModelSerializer[Inspection]):
    """An inspection the caller may see. `can` is given on the detail and after actions
    (null in lists)."""

    program_code = serializers.CharField(source="program.code", read_only=True, default=None)
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, default=None
    )
    draw = serializers.UUIDField(source="draw.public_id", read_only=True, default=None)
    team = InspectionTeamMemberSerializer(many=True, read_only=True)
    reply_window_open = serializers.SerializerMethodField()
    published_versions = InspectionVersionSerializer(many=True, read_only=True)
    can = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "title",
            "inspection_type",
            "program",
            "program_code",
            "organization",
            "organization_name",
            "unannounced",
            "starts_at",
            "ends_on",
            "status",
            "scope_note",
            "draw",
            "team",
            "reply_days",
            "reply_opens_at",
            "reply_closes_at",
            "reply_window_open",
            "publication_requested_by",
            "publication_requested_at",
            "cancel_reason",
            "correction_note",
            "created_at",
            "published_versions",
            "can",
        ]

    def get_reply_window_open(self, inspection: Inspection) -> bool:
        return inspection.reply_window_open()

    @extend_schema_field(InspectionPermissionsSerializer(allow_null=True))
    def get_can(self, inspection: Inspection) -> dict[str, bool] | None:
        can = self.context.get("can")
        return can(inspection) if can is not None else None


class InspectionInputSerializer(serializers.Serializer[Any]):
    """What scheduling an inspection needs; the service checks the rest (one target, dates,
    inspectors with a profile and no conflict, the author on the team)."""

    title = serializers.CharField(max_length=200)
    inspection_type = serializers.ChoiceField(choices=InspectionType.choices)
    program = optional_ref(Program.objects.all())
    organization = optional_ref(Organization.objects.all())
    unannounced = serializers.BooleanField(required=False, default=False)
    starts_at = serializers.DateTimeField()
    ends_on = serializers.DateField()
    inspectors = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True
    )
    author = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    scope_note = optional_text(max_length=TEXT_LIMIT)
    reply_days = serializers.IntegerField(required=False, min_value=1, max_value=60, default=None)
    sample_size = serializers.IntegerField(
        required=False, min_value=0, max_value=SAMPLE_LIMIT, default=0
    )
    sample_student_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=SAMPLE_LIMIT,
        help_text="Students to examine; left out: a random sample of `sample_size`.",
    )


class InspectionReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=TEXT_LIMIT)


# ---- Conducting: checklist, sample, observations, findings ----------------------------------


class ChecklistItemSerializer(ReadOnlyModelSerializer[ChecklistItem]):
    checked_by_name = serializers.CharField(
        source="checked_by.full_name", read_only=True, default=None
    )

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "section",
            "text",
            "guidance",
            "position",
            "result",
            "note",
            "checked_by",
            "checked_by_name",
            "checked_at",
        ]


class ChecklistResultInputSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField(min_value=1, help_text="A checklist item of the inspection.")
    result = serializers.ChoiceField(choices=ChecklistItem.Result.choices)
    note = optional_text(max_length=TEXT_LIMIT)


class SampledStudentSerializer(ReadOnlyModelSerializer[SampledStudent]):
    student_number = serializers.CharField(source="student.student_number", read_only=True)
    student_name = serializers.CharField(source="student.user.full_name", read_only=True)

    class Meta:
        model = SampledStudent
        fields = ["id", "student", "student_number", "student_name", "position", "examined", "note"]


class SampleUpdateInputSerializer(serializers.Serializer[Any]):
    sampled = serializers.IntegerField(min_value=1, help_text="A sampled student (its `id`).")
    examined = serializers.BooleanField()
    note = optional_text(max_length=TEXT_LIMIT)


class ObservationSerializer(ReadOnlyModelSerializer[Observation]):
    author_name = serializers.CharField(source="author.full_name", read_only=True)

    class Meta:
        model = Observation
        fields = [
            "id",
            "text",
            "checklist_item",
            "sampled_student",
            "author",
            "author_name",
            "created_at",
        ]


class EvidenceFileSerializer(DownloadUrlsMixin, ReadOnlyModelSerializer[EvidenceFile]):
    """A file the inspectors collected, with the link that downloads it."""

    uploaded_by_name = serializers.CharField(source="uploaded_by.full_name", read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "name",
            "size",
            "sha256",
            "observation",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "file_url",
        ]

    def get_file_url(self, item: EvidenceFile) -> str | None:
        return self._download(
            "api:inspection-evidence-download", item.inspection_id, item.pk, present=item.file
        )


class ObservationInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=TEXT_LIMIT)
    checklist_item = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    sampled_student = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )


class InspectionFindingSerializer(ReadOnlyModelSerializer[Finding]):
    """A finding the inspection recorded (it lives on in the findings API as well)."""

    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    student_name = serializers.CharField(
        source="student.user.full_name", read_only=True, default=None
    )
    author_name = serializers.CharField(source="author.full_name", read_only=True, default=None)

    class Meta:
        model = Finding
        fields = [
            "id",
            "severity",
            "status",
            "title",
            "text",
            "program",
            "organization",
            "student",
            "student_name",
            "due_date",
            "author",
            "author_name",
            "first_seen_at",
            "resolved_at",
        ]

    def get_title(self, finding: Finding) -> str:
        return str(finding.details.get("title", ""))

    def get_text(self, finding: Finding) -> str:
        return str(finding.details.get("text", ""))


class InspectionFindingInputSerializer(serializers.Serializer[Any]):
    severity = serializers.ChoiceField(choices=Severity.choices)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=TEXT_LIMIT)
    program = optional_ref(
        Program.objects.all(),
        help_text="For an organisation's inspection: a program it takes part in.",
    )
    student = optional_ref(Student.objects.all())
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


# ---- The report and the right of reply --------------------------------------------------------


class ReportSectionSerializer(ReadOnlyModelSerializer[ReportSection]):
    class Meta:
        model = ReportSection
        fields = ["id", "key", "title", "body", "position", "revision", "updated_at"]


class ReportSectionInputSerializer(serializers.Serializer[Any]):
    """A section by key: a new key adds one, a known key changes it."""

    key = serializers.SlugField(max_length=40)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(allow_blank=True, max_length=TEXT_LIMIT)
    position = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=32767
    )


class ReplyCommentSerializer(ReadOnlyModelSerializer[ReplyComment]):
    section_key = serializers.CharField(source="section.key", read_only=True)
    author_name = serializers.CharField(source="author.full_name", read_only=True)
    answered_by_name = serializers.CharField(
        source="answered_by.full_name", read_only=True, default=None
    )

    class Meta:
        model = ReplyComment
        fields = [
            "id",
            "section",
            "section_key",
            "section_revision",
            "text",
            "author",
            "author_name",
            "created_at",
            "answer",
            "answered_by",
            "answered_by_name",
            "answered_at",
            "draft_revised",
        ]


class ReplyCommentInputSerializer(serializers.Serializer[Any]):
    section = serializers.IntegerField(min_value=1, help_text="A section of the draft report.")
    text = serializers.CharField(max_length=TEXT_LIMIT)


class CommentAnswerInputSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=TEXT_LIMIT)
    revised_body = optional_text(
        allow_null=True,
        default=None,
        max_length=TEXT_LIMIT,
        help_text="The section's new text, if the comment leads to a revision.",
    )


class ReplyWindowInputSerializer(serializers.Serializer[Any]):
    days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=60,
        help_text="Length of the window; left out: the inspection's `reply_days`.",
    )


class PublicationRequestInputSerializer(serializers.Serializer[Any]):
    correction_note = optional_text(
        max_length=TEXT_LIMIT,
        help_text="For a correction of a published report: what the new version changes.",
    )


# ---- Assignments ------------------------------------------------------------------------------


class InspectionAssignmentSerializer(ReadOnlyModelSerializer[InspectionAssignment]):
    inspector_name = serializers.CharField(source="inspector.full_name", read_only=True)
    inspector_email = serializers.EmailField(source="inspector.email", read_only=True)
    program_code = serializers.CharField(source="program.code", read_only=True, default=None)
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, default=None
    )
    is_current = serializers.BooleanField(read_only=True, help_text="In force today.")

    class Meta:
        model = InspectionAssignment
        fields = [
            "id",
            "inspector",
            "inspector_name",
            "inspector_email",
            "program",
            "program_code",
            "organization",
            "organization_name",
            "valid_from",
            "valid_until",
            "is_current",
            "created_at",
            "revoked_at",
        ]


class InspectionAssignmentInputSerializer(serializers.Serializer[Any]):
    inspector = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    program = optional_ref(Program.objects.all())
    organization = optional_ref(Organization.objects.all())
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


# ---- Draws ------------------------------------------------------------------------------------


class DrawSerializer(ReadOnlyModelSerializer[Draw]):
    """A draw with everything needed to re-run it: seed, inputs, algorithm; and its result."""

    replaces_public_id = serializers.UUIDField(
        source="replaces.public_id", read_only=True, default=None
    )
    replaced_by = serializers.SerializerMethodField()
    drawn_by_email = serializers.EmailField(source="drawn_by.email", read_only=True)
    inspections: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Draw
        fields = [
            "id",
            "public_id",
            "target_kind",
            "inspection_type",
            "unannounced",
            "seed",
            "algorithm",
            "inputs",
            "result",
            "replaces",
            "replaces_public_id",
            "replace_reason",
            "replaced_by",
            "drawn_by",
            "drawn_by_email",
            "drawn_at",
            "inspections",
        ]

    def get_replaced_by(self, draw: Draw) -> int | None:
        """The draw that replaced this one, if it was drawn again."""
        replacement = getattr(draw, "replaced_by", None)
        return replacement.pk if replacement is not None else None


class DrawInputSerializer(serializers.Serializer[Any]):
    """A draw; to draw again, name the draw it `replaces` and why (`replace_reason`)."""

    target_kind = serializers.ChoiceField(choices=Draw.TargetKind.choices)
    inspection_type = serializers.ChoiceField(choices=InspectionType.choices)
    unannounced = serializers.BooleanField(required=False, default=False)
    targets = serializers.IntegerField(min_value=1, max_value=DRAW_LIMIT)
    students_per_target = serializers.IntegerField(min_value=0, max_value=DRAW_LIMIT)
    inspectors_per_target = serializers.IntegerField(min_value=1, max_value=DRAW_LIMIT)
    candidate_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=10_000,
        help_text="Targets to draw from; left out: every eligible program or organisation.",
    )
    seed = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=False,
        default=None,
        max_length=64,
        help_text="Left out: a fresh random seed.",
    )
    starts_at = serializers.DateTimeField()
    ends_on = serializers.DateField()
    replaces = optional_ref(Draw.objects.all())
    replace_reason = optional_text(max_length=TEXT_LIMIT)


class DrawVerificationSerializer(serializers.Serializer[Any]):
    public_id = serializers.UUIDField()
    algorithm = serializers.CharField()
    reproduced = serializers.BooleanField(
        help_text="Re-running the algorithm on the stored seed and inputs gives the stored result."
    )
    differences = serializers.ListField(child=serializers.CharField())
