"""Demo data of the programs app: one medical imaging technology program, fully populated.

`seed_programs_demo()` builds MIT-2025 (a professional master led by a university, with three
hospitals, two imaging-equipment enterprises and a research institute as partners), its four
elements, 30 students in the 2024 and 2025 cohorts with tutors, plans in every state,
milestones, placements, projects, logs, case logs and funds, including the cases the audits
should find: overdue milestones, students without contact for two months, a hospital with
clinical practice but no placements, and four expenditures a fund audit flags (approved by
its submitter, entered twice, dated outside its line's period, and a line overspent).

Seeded once (training_portal.core.seeding): a second run creates nothing and never looks
at the rows users made in the meantime. Dates are relative to the day of the first load
(`timezone.localdate()`), so the overdue and gap situations hold whenever the demo is loaded.
The ORM is used directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from accounts.demo import seed_demo_accounts
from accounts.models import RoleMembership, User
from accounts.roles import Role
from training_portal.core.seeding import seed_once

from . import models as m

PROGRAM_CODE = "MIT-2025"
DOMAIN = "@demo.example"

K = m.Organization.Kind
R = m.PartnerResponsibility.Kind

# key: (name, short name, kind, city, responsibilities in the program, places offered)
ORGANIZATIONS: dict[str, tuple[str, str, str, str, list[str], int]] = {
    "emu": (
        "Eastbridge Medical University",
        "EMU",
        K.UNIVERSITY,
        "Shanghai",
        [
            R.CURRICULUM_SETTING,
            R.TEACHING,
            R.TUTOR_SUPERVISION,
            R.RESEARCH_TRAINING,
            R.MENTAL_HEALTH_SERVICE,
        ],
        0,
    ),
    "efh": (
        "Eastbridge First Hospital",
        "EFH",
        K.HOSPITAL,
        "Shanghai",
        [R.CLINICAL_PRACTICE, R.PRACTICAL_TRAINING, R.TEACHING, R.TUTOR_SUPERVISION],
        8,
    ),
    "rph": (
        "Riverside People's Hospital",
        "RPH",
        K.HOSPITAL,
        "Suzhou",
        [R.CLINICAL_PRACTICE, R.PRACTICAL_TRAINING],
        6,
    ),
    # Clinical practice promised, no placement hosted: a finding for the partner audit.
    "hch": ("Harbour Cancer Hospital", "HCH", K.HOSPITAL, "Ningbo", [R.CLINICAL_PRACTICE], 4),
    "lumina": (
        "Lumina Imaging Systems Co.",
        "Lumina",
        K.ENTERPRISE,
        "Shanghai",
        [R.PRACTICAL_TRAINING, R.KNOWLEDGE_TRANSFER, R.FUNDING],
        4,
    ),
    "nova": (
        "Nova Medical Devices Co.",
        "Nova",
        K.ENTERPRISE,
        "Hangzhou",
        [R.PRACTICAL_TRAINING, R.KNOWLEDGE_TRANSFER],
        3,
    ),
    "ibi": (
        "Institute of Biomedical Imaging",
        "IBI",
        K.RESEARCH_INSTITUTE,
        "Shanghai",
        [R.RESEARCH_TRAINING, R.KNOWLEDGE_TRANSFER],
        3,
    ),
}

OBJECTIVES = [
    (
        "Clinical imaging competence",
        "Performs and reports CT, MR and DR examinations independently: at least 300 logged "
        "cases, 100 of them performed, verified by the practice tutor.",
    ),
    (
        "Engineering and innovation practice",
        "Completes an enterprise placement and contributes to one project that produces a "
        "prototype, software, patent or clinical protocol.",
    ),
    (
        "Research ability",
        "Defends a thesis on a clinical imaging question, passes the originality check and "
        "submits one paper.",
    ),
]
ST = m.Stage.Kind
STAGES = [
    (ST.COURSEWORK, "Coursework at the university", 12),
    (ST.CLINICAL_PLACEMENT, "Clinical placement in a partner hospital", 9),
    (ST.ENTERPRISE_PLACEMENT, "Enterprise placement", 3),
    (ST.THESIS_RESEARCH, "Thesis research", 9),
    (ST.DEFENCE, "Thesis defence", 3),
]
MK = m.MilestoneTemplate.Kind
# (kind, title, due days after enrolment, stage order)
TEMPLATES = [
    (MK.PROPOSAL_DEFENCE, "Thesis proposal defence", 300, 4),
    (MK.MID_TERM_REVIEW, "Mid-term review", 540, 4),
    (MK.PRACTICE_COMPLETION, "Clinical practice completed", 840, 2),
    (MK.THESIS_SUBMISSION, "Thesis submitted", 960, 4),
    (MK.ORIGINALITY_CHECK, "Originality check passed", 990, 4),
    (MK.DEFENCE, "Thesis defence", 1050, 5),
]
C = m.Course.Category
# code: (title, credits, category, integrates I&E, delivered by, requirement, semester)
COURSES = {
    "MIT-101": ("Medical Imaging Physics", "3.0", C.CORE, False, "emu", "required", 1),
    "MIT-102": ("Imaging Anatomy and Pathology", "3.0", C.CORE, False, "emu", "required", 1),
    "MIT-201": ("Medical Image Processing", "3.0", C.SPECIALTY, True, "emu", "required", 2),
    "MIT-202": ("Clinical Imaging Practice", "4.0", C.PRACTICE, False, "efh", "required", 2),
    "MIT-203": (
        "Imaging Equipment Engineering",
        "2.0",
        C.SPECIALTY,
        False,
        "lumina",
        "elective",
        3,
    ),
    "MIT-301": (
        "Innovation and Entrepreneurship in Medical Devices",
        "2.0",
        C.INNOVATION_ENTREPRENEURSHIP,
        False,
        "nova",
        "required",
        3,
    ),
    "MIT-302": ("AI in Radiology", "2.0", C.ELECTIVE, False, "ibi", "elective", 3),
}

# key: (e-mail, full name, organisation, kind, title, specialty, capacity); the demo
# accounts (tutor@, practice.tutor@) are created by accounts.demo with the demo password.
TUTORS = {
    "tutor": ("tutor@demo.example", "", "emu", "academic", "Professor", "CT imaging", 8),
    "zhang": ("zhang.min@demo.example", "Zhang Min", "emu", "academic", "Professor",
              "MR physics", 8),
    "chen": ("chen.hui@demo.example", "Chen Hui", "emu", "academic", "Associate Professor",
             "Image processing", 8),
    "lin": ("grace.lin@demo.example", "Grace Lin", "emu", "academic", "Lecturer",
            "AI in radiology", 10),
    "practice": ("practice.tutor@demo.example", "", "efh", "practice", "Chief Technologist",
                 "Emergency CT", 6),
    "wu": ("wu.tao@demo.example", "Wu Tao", "rph", "practice", "Chief Radiologist",
           "Interventional radiology", 6),
    "huang": ("felix.huang@demo.example", "Felix Huang", "lumina", "practice",
              "Senior Engineer", "CT system service", 4),
    "han": ("han.lei@demo.example", "Han Lei", "nova", "practice", "Engineer",
            "Ultrasound devices", 4),
    "zhou": ("iris.zhou@demo.example", "Iris Zhou", "ibi", "practice", "Research Fellow",
             "PET-CT quantification", 4),
}  # fmt: skip

# Coordinators of the other partners (no sign-in); coordinator@ coordinates EFH.
COORDINATORS = {
    "emu": ("finance.emu@demo.example", "Ye Qing (EMU programme office)"),
    "rph": ("coord.rph@demo.example", "Mo Lan (RPH teaching office)"),
    "hch": ("coord.hch@demo.example", "Bai Rui (HCH teaching office)"),
    "lumina": ("coord.lumina@demo.example", "Kai Becker (Lumina HR)"),
    "nova": ("coord.nova@demo.example", "Zoe Wang (Nova HR)"),
    "ibi": ("coord.ibi@demo.example", "Omar Said (IBI office)"),
}


@dataclass(frozen=True)
class DemoStudent:
    email: str
    name: str
    cohort: int
    tutor: str
    plan: str  # a plan status, or "v2" for v1 approved with a v2 draft
    placement: tuple[str, str, str, bool] | None = None  # host, tutor, status, confirmed
    gap: bool = False  # no contact in the last two months
    overdue: int | None = None  # index of the template whose milestone is overdue


STUDENTS = [
    DemoStudent("student@demo.example", "", 2024, "tutor", "v2",
                ("efh", "practice", "active", True)),
    DemoStudent("li.na@demo.example", "Li Na", 2024, "tutor", "approved",
                ("efh", "practice", "completed", True)),
    DemoStudent("wang.jun@demo.example", "Wang Jun", 2024, "tutor", "tutor_approved"),
    DemoStudent("zhao.lei@demo.example", "Zhao Lei", 2024, "tutor", "submitted", overdue=1),
    DemoStudent("sun.yan@demo.example", "Sun Yan", 2024, "zhang", "approved",
                ("rph", "wu", "active", True)),
    DemoStudent("zhou.xin@demo.example", "Zhou Xin", 2024, "zhang", "approved",
                ("rph", "wu", "completed", True)),
    DemoStudent("wu.hao@demo.example", "Wu Hao", 2024, "zhang", "approved",
                ("lumina", "huang", "active", True)),
    DemoStudent("xu.ying@demo.example", "Xu Ying", 2024, "chen", "approved",
                ("ibi", "zhou", "completed", True)),
    DemoStudent("hu.bo@demo.example", "Hu Bo", 2024, "chen", "tutor_approved",
                ("nova", "han", "planned", False)),
    DemoStudent("guo.rui@demo.example", "Guo Rui", 2024, "chen", "approved",
                ("efh", "practice", "cancelled", False)),
    DemoStudent("he.ning@demo.example", "He Ning", 2024, "chen", "submitted", gap=True,
                overdue=1),
    DemoStudent("gao.qing@demo.example", "Gao Qing", 2024, "lin", "approved", gap=True),
    DemoStudent("lin.tao@demo.example", "Lin Tao", 2024, "lin", "draft"),
    DemoStudent("luo.jie@demo.example", "Luo Jie", 2024, "lin", "approved"),
    DemoStudent("student2@demo.example", "", 2025, "zhang", "draft"),
    DemoStudent("ma.lan@demo.example", "Ma Lan", 2025, "tutor", "submitted",
                ("efh", "practice", "planned", False)),
    DemoStudent("zhu.wei@demo.example", "Zhu Wei", 2025, "tutor", "draft"),
    DemoStudent("liang.fang@demo.example", "Liang Fang", 2025, "tutor", "approved"),
    DemoStudent("song.jing@demo.example", "Song Jing", 2025, "zhang", "submitted",
                ("rph", "wu", "planned", True)),
    DemoStudent("tang.min@demo.example", "Tang Min", 2025, "zhang", "tutor_approved",
                overdue=0),
    DemoStudent("han.yu@demo.example", "Han Yu", 2025, "zhang", "draft",
                ("lumina", "huang", "planned", False)),
    DemoStudent("feng.hui@demo.example", "Feng Hui", 2025, "chen", "submitted"),
    DemoStudent("deng.chen@demo.example", "Deng Chen", 2025, "chen", "approved", gap=True),
    DemoStudent("cao.ying@demo.example", "Cao Ying", 2025, "chen", "draft"),
    DemoStudent("peng.lei@demo.example", "Peng Lei", 2025, "chen", "tutor_approved"),
    DemoStudent("zeng.xin@demo.example", "Zeng Xin", 2025, "lin", "submitted"),
    DemoStudent("xiao.bo@demo.example", "Xiao Bo", 2025, "lin", "approved"),
    DemoStudent("tian.rui@demo.example", "Tian Rui", 2025, "lin", "draft"),
    DemoStudent("dong.ning@demo.example", "Dong Ning", 2025, "lin", "tutor_approved"),
    DemoStudent("pan.qing@demo.example", "Pan Qing", 2025, "lin", "approved"),
]  # fmt: skip

PLAN_FLOW = ["draft", "submitted", "tutor_approved", "approved"]
CAREER_GOALS = ["clinical", "research", "industry", "entrepreneurship"]
ACADEMIC_LOGS = [
    ("meeting", 60, "Monthly meeting: reading list and thesis question agreed."),
    ("feedback", 45, "Feedback on the literature review draft."),
    ("meeting", 50, "Monthly meeting: experiment plan for the phantom study."),
    ("lab", 120, "Lab session: image-quality measurements on the CT phantom."),
    ("meeting", 40, "Monthly meeting: progress against the plan reviewed."),
]
PRACTICE_LOGS = [
    ("clinical", 240, "Emergency CT shift: positioning and protocol selection supervised."),
    ("clinical", 180, "Reporting session: chest CT cases reviewed together."),
    ("feedback", 30, "Mid-placement feedback: independent on routine head CT."),
]
CASES = [
    ("ct", "Head CT, non-contrast", 12, "performed", True),
    ("mr", "Knee MR", 8, "assisted", True),
    ("dr", "Chest radiograph", 20, "performed", False),
    ("us", "Abdominal ultrasound", 5, "observed", False),
]


class _Demo:
    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.unusable = make_password(None)  # for the people who do not sign in
        self.ct_program = ContentType.objects.get_for_model(m.Program)
        self.ct_org = ContentType.objects.get_for_model(m.Organization)

    # -- helpers --

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        """A moment on `day`, never later than now."""
        moment = dt.datetime.combine(day, dt.time(hour), tzinfo=self.tz)
        return min(moment, timezone.now())

    def user(self, email: str, full_name: str, language: str = "en") -> User:
        user = User.objects.with_email(email).first()
        if user is None:
            user = User.objects.create(
                email=email,
                full_name=full_name,
                preferred_language=language,
                password=self.unusable,
            )
        return user

    def grant(self, user: User, role: Role, scope: models.Model) -> None:
        ct = self.ct_program if isinstance(scope, m.Program) else self.ct_org
        RoleMembership.objects.get_or_create(user=user, role=role, scope_type=ct, scope_id=scope.pk)

    # -- the data --

    def run(self) -> m.Program:
        self.accounts = {
            key: User.objects.get(email=f"{key}{DOMAIN}")
            for key in ("progadmin", "coordinator", "tutor", "practice.tutor", "student",
                        "student2", "outsider")
        }  # fmt: skip
        self.organizations()
        program = self.program()
        self.people(program)
        self.students(program)
        self.projects(program)
        self.funds(program)
        return program

    def organizations(self) -> None:
        self.orgs: dict[str, m.Organization] = {}
        for key, (name, short, kind, city, _resp, _places) in ORGANIZATIONS.items():
            self.orgs[key], _ = m.Organization.objects.get_or_create(
                name=name, defaults={"short_name": short, "kind": kind, "city": city}
            )

    def program(self) -> m.Program:
        program, _ = m.Program.objects.get_or_create(
            code=PROGRAM_CODE,
            defaults={
                "title": "Medical Imaging Technology",
                "discipline": "Medical imaging technology",
                "degree_type": m.Program.DegreeType.PROFESSIONAL,
                "lead_university": self.orgs["emu"],
                "start_date": dt.date(2024, 9, 1),
                "status": m.Program.Status.ACTIVE,
                "description": "A professional master's in medical imaging technology run by "
                "a university with hospitals, imaging-equipment enterprises and a research "
                "institute: clinical practice, engineering practice and research in one plan.",
                "quality_criteria": "Case-log targets met, milestones on time, two tutor "
                "contacts a month, two-way evaluations, one project output per student.",
            },
        )
        for order, (title, text) in enumerate(OBJECTIVES, 1):
            m.TrainingObjective.objects.get_or_create(
                program=program, order=order, defaults={"title": title, "description": text}
            )
        stages: dict[int, m.Stage] = {}
        for order, (stage_kind, stage_title, months) in enumerate(STAGES, 1):
            stages[order], _ = m.Stage.objects.get_or_create(
                program=program,
                order=order,
                defaults={"kind": stage_kind, "title": stage_title, "expected_months": months},
            )
        self.templates: list[m.MilestoneTemplate] = []
        for kind, title, offset, stage in TEMPLATES:
            template, _ = m.MilestoneTemplate.objects.get_or_create(
                program=program,
                title=title,
                defaults={"kind": kind, "due_offset_days": offset, "stage": stages[stage]},
            )
            self.templates.append(template)
        self.courses: dict[str, m.Course] = {}
        for code, (title, credits, category, ie, org, requirement, semester) in COURSES.items():
            course, _ = m.Course.objects.get_or_create(
                code=code,
                defaults={
                    "title": title,
                    "credits": Decimal(credits),
                    "category": category,
                    "integrates_ie": ie,
                    "delivering_organization": self.orgs[org],
                    "description": f"{title}, delivered by {self.orgs[org].short_name}.",
                },
            )
            self.courses[code] = course
            m.ProgramCourse.objects.get_or_create(
                program=program,
                course=course,
                defaults={"requirement": requirement, "semester": semester},
            )
        for key, (_n, _s, _k, _c, responsibilities, places) in ORGANIZATIONS.items():
            partner, _ = m.ProgramPartner.objects.get_or_create(
                program=program,
                organization=self.orgs[key],
                defaults={
                    "agreement_start": dt.date(2024, 7, 1),
                    "agreement_end": dt.date(2029, 6, 30),
                    "places_offered": places,
                },
            )
            for responsibility in responsibilities:
                m.PartnerResponsibility.objects.get_or_create(
                    partner=partner, responsibility=responsibility
                )
        return program

    def people(self, program: m.Program) -> None:
        a = self.accounts
        self.grant(a["progadmin"], Role.PROGRAM_ADMIN, program)
        self.grant(a["coordinator"], Role.PARTNER_COORDINATOR, self.orgs["efh"])
        self.coordinators: dict[str, User] = {"efh": a["coordinator"]}
        for key, (email, name) in COORDINATORS.items():
            self.coordinators[key] = self.user(email, name)
            self.grant(self.coordinators[key], Role.PARTNER_COORDINATOR, self.orgs[key])
        # The university's mental-health service: a counsellor posted there.
        counsellor = self.user("counsellor.emu@demo.example", "Mei Lin")
        self.grant(counsellor, Role.COUNSELLOR, self.orgs["emu"])
        self.tutors: dict[str, m.TutorProfile] = {}
        for key, (email, name, org, kind, title, specialty, capacity) in TUTORS.items():
            user = self.user(email, name)
            self.tutors[key], _ = m.TutorProfile.objects.get_or_create(
                user=user,
                defaults={
                    "kind": kind,
                    "organization": self.orgs[org],
                    "professional_title": title,
                    "specialty": specialty,
                    "qualifications": "PhD, medical imaging."
                    if kind == "academic"
                    else "Licensed imaging professional.",
                    "practice_experience": "" if kind == "academic" else "12 years in practice.",
                    "capacity": capacity,
                },
            )
            role = Role.ACADEMIC_TUTOR if kind == "academic" else Role.PRACTICE_TUTOR
            self.grant(user, role, self.orgs[org])
        self.courses["MIT-101"].teachers.add(self.tutors["tutor"].user)
        self.courses["MIT-201"].teachers.add(self.tutors["tutor"].user, self.tutors["lin"].user)
        self.courses["MIT-202"].teachers.add(self.tutors["practice"].user)
        self.courses["MIT-203"].teachers.add(self.tutors["huang"].user)

    def students(self, program: m.Program) -> None:
        counters = {2024: 0, 2025: 0}
        self.student_rows: dict[str, m.Student] = {}
        for index, spec in enumerate(STUDENTS):
            counters[spec.cohort] += 1
            user = self.user(spec.email, spec.name)
            self.grant(user, Role.STUDENT, program)
            enrolled = min(dt.date(spec.cohort, 9, 1), self.day(-30))
            student, _ = m.Student.objects.get_or_create(
                user=user,
                defaults={
                    "program": program,
                    "student_number": f"MIT{spec.cohort % 100}-{counters[spec.cohort]:03d}",
                    "cohort": spec.cohort,
                    "enrolled_on": enrolled,
                },
            )
            self.student_rows[spec.email] = student
            academic = self.tutors[spec.tutor]
            m.TutorAssignment.objects.get_or_create(
                student=student,
                tutor=academic,
                defaults={
                    "role": "academic",
                    "started_on": student.enrolled_on,
                    "assigned_by": self.accounts["progadmin"],
                },
            )
            placement = self.placement(student, spec)
            self.plan(student, spec, index)
            self.milestones(student, spec, academic)
            self.logs(student, spec, academic, placement, index)
            if placement is not None and placement.status in ("active", "completed"):
                self.case_logs(student, placement)

    def placement(self, student: m.Student, spec: DemoStudent) -> m.Placement | None:
        if spec.placement is None:
            return None
        host_key, tutor_key, status, confirmed = spec.placement
        start, end = {
            "active": (-60, 120),
            "completed": (-300, -120),
            "planned": (10, 190),
            "cancelled": (-20, 160),
        }[status]
        tutor = self.tutors[tutor_key]
        coordinator = self.coordinators[host_key]
        placement, _ = m.Placement.objects.get_or_create(
            student=student,
            host=self.orgs[host_key],
            defaults={
                "practice_tutor": tutor,
                "start_date": self.day(start),
                "end_date": self.day(end),
                "objectives": "Routine CT, MR and DR examinations under supervision; "
                "one case presentation a month.",
                "status": status,
                "confirmed_by": coordinator if confirmed else None,
                "confirmed_at": self.at(self.day(min(start, 0) - 10)) if confirmed else None,
            },
        )
        if status != "cancelled":
            m.TutorAssignment.objects.get_or_create(
                student=student,
                tutor=tutor,
                defaults={
                    "role": "practice",
                    "started_on": placement.start_date,
                    "ended_on": placement.end_date if status == "completed" else None,
                    "assigned_by": self.accounts["progadmin"],
                },
            )
        return placement

    def plan(self, student: m.Student, spec: DemoStudent, index: int) -> None:
        status = "approved" if spec.plan == "v2" else spec.plan
        plan, created = m.TrainingPlan.objects.get_or_create(
            student=student,
            version=1,
            defaults={
                "status": status,
                "career_goal": CAREER_GOALS[index % len(CAREER_GOALS)],
                "personal_objectives": "Become independent in emergency CT and structured "
                "reporting; log 300 cases; one paper on low-dose protocols.",
                "planned_placements": "Clinical placement at a partner hospital in the second "
                "year; three months with an imaging-equipment enterprise.",
                "planned_projects": "A small clinical project on CT dose in the first year.",
                "created_at": self.at(student.enrolled_on + dt.timedelta(days=14)),
            },
        )
        if created:
            required = [c for c in self.courses.values() if c.code != "MIT-302"]
            plan.courses.add(*required)
            for modality, target in (("ct", 150), ("mr", 80), ("dr", 100)):
                m.PlanCaseTarget.objects.get_or_create(
                    plan=plan, modality=modality, defaults={"target": target}
                )
        by = [
            student.user,
            self.tutors[spec.tutor].user,
            self.accounts["progadmin"],
        ]
        moment = plan.created_at
        for step in range(PLAN_FLOW.index(status)):
            moment = moment + dt.timedelta(days=5)
            m.PlanTransition.objects.get_or_create(
                plan=plan,
                from_status=PLAN_FLOW[step],
                to_status=PLAN_FLOW[step + 1],
                defaults={"by": by[step], "at": min(moment, timezone.now())},
            )
        if spec.plan == "v2":
            version2, created = m.TrainingPlan.objects.get_or_create(
                student=student,
                version=2,
                defaults={
                    "status": "draft",
                    "career_goal": "industry",
                    "personal_objectives": "As version 1, plus a three-month placement with "
                    "Lumina Imaging Systems on CT service engineering.",
                    "planned_placements": "EFH clinical placement (current); Lumina in spring.",
                    "planned_projects": "Low-dose CT protocol optimisation.",
                },
            )
            if created:
                version2.courses.add(*self.courses.values())

    def milestones(self, student: m.Student, spec: DemoStudent, tutor: m.TutorProfile) -> None:
        for position, template in enumerate(self.templates):
            natural = student.enrolled_on + dt.timedelta(days=template.due_offset_days)
            values: dict[str, Any] = {"kind": template.kind, "title": template.title}
            if spec.overdue == position:
                values["due_date"] = min(natural, self.day(-14))
            elif spec.email == "student@demo.example" and position == 1:
                # Done, waiting for the tutor's sign-off.
                values["due_date"] = min(natural, self.day(-10))
                values["completed_on"] = self.day(-8)
                values["evidence"] = "Mid-term report and slides uploaded."
            elif natural < self.day(-7) or (spec.email == "student@demo.example" and position == 0):
                due = min(natural, self.day(-60))
                completed = due - dt.timedelta(days=2)
                values.update(
                    due_date=due,
                    completed_on=completed,
                    evidence=f"{template.title}: minutes of the committee on file.",
                    signed_off_by=tutor.user,
                    signed_off_at=self.at(completed + dt.timedelta(days=2)),
                )
            else:
                values["due_date"] = max(natural, self.day(14))
            m.Milestone.objects.get_or_create(student=student, template=template, defaults=values)

    def logs(
        self,
        student: m.Student,
        spec: DemoStudent,
        academic: m.TutorProfile,
        placement: m.Placement | None,
        index: int,
    ) -> None:
        offsets = [-200, -150, -80] if spec.gap else [-130, -100, -70, -40, -12]
        jitter = index % 5
        for n, offset in enumerate(offsets):
            kind, minutes, summary = ACADEMIC_LOGS[n % len(ACADEMIC_LOGS)]
            date = max(self.day(offset - jitter), student.enrolled_on)
            shared = not (spec.email == "student@demo.example" and n == 2)
            acknowledged = self.at(date + dt.timedelta(days=1), 18) if shared and n < 3 else None
            m.ProgressLog.objects.get_or_create(
                student=student,
                author=academic.user,
                summary=f"{summary} ({n + 1})",
                defaults={
                    "date": date,
                    "kind": kind,
                    "minutes": minutes,
                    "shared": shared,
                    "created_at": self.at(date, 17),
                    "acknowledged_at": acknowledged,
                    "student_comment": "Thanks, I will send the draft on Friday."
                    if acknowledged and n == 1
                    else "",
                },
            )
        if placement is None or placement.status not in ("active", "completed") or spec.gap:
            return
        for n, (kind, minutes, summary) in enumerate(PRACTICE_LOGS):
            date = min(placement.start_date + dt.timedelta(days=10 + 15 * n), self.day(-2))
            m.ProgressLog.objects.get_or_create(
                student=student,
                author=placement.practice_tutor.user if placement.practice_tutor else academic.user,
                summary=f"{summary} ({n + 1})",
                defaults={
                    "date": date,
                    "kind": kind,
                    "minutes": minutes,
                    "placement": placement,
                    "created_at": self.at(date, 18),
                },
            )

    def case_logs(self, student: m.Student, placement: m.Placement) -> None:
        tutor = placement.practice_tutor
        for n, (modality, procedure, count, role, verified) in enumerate(CASES):
            date = min(placement.start_date + dt.timedelta(days=7 + 9 * n), self.day(-3))
            m.CaseLog.objects.get_or_create(
                student=student,
                modality=modality,
                procedure=procedure,
                defaults={
                    "date": date,
                    "count": count,
                    "role": role,
                    "placement": placement,
                    "recorded_by": student.user,
                    "verified_by": tutor.user if verified and tutor else None,
                    "verified_at": self.at(date + dt.timedelta(days=1), 16)
                    if verified and tutor
                    else None,
                },
            )

    def projects(self, program: m.Program) -> None:
        s = {email.split("@")[0]: row for email, row in self.student_rows.items()}
        t = self.tutors
        projects = [
            # title, kind, size, status, lead, partners, start, end, members, outputs
            (
                "Low-dose CT protocol optimisation",
                "clinical",
                "medium",
                "active",
                "efh",
                ["emu"],
                -200,
                160,
                [("student", "lead"), ("li.na", "member"), ("wang.jun", "member")],
                [t["tutor"], t["practice"]],
                [],
            ),
            (
                "AI triage for chest radiographs",
                "innovation",
                "big",
                "active",
                "lumina",
                ["emu", "rph", "ibi"],
                -320,
                400,
                [
                    ("wu.hao", "lead"),
                    ("sun.yan", "member"),
                    ("xu.ying", "member"),
                    ("liang.fang", "member"),
                ],
                [t["huang"], t["lin"]],
                [("patent", "Method for triaging chest radiographs (application)")],
            ),
            (
                "Phantom quality-control kit",
                "entrepreneurship",
                "small",
                "proposed",
                "emu",
                ["nova"],
                None,
                None,
                [("student2", "lead"), ("ma.lan", "member")],
                [t["zhang"]],
                [],
            ),
            (
                "MR motion-correction study",
                "research",
                "small",
                "completed",
                "ibi",
                ["emu"],
                -420,
                -60,
                [("xu.ying", "lead"), ("zhou.xin", "member")],
                [t["zhou"], t["chen"]],
                [
                    ("paper", "Retrospective motion correction for knee MR"),
                    ("software", "mocorr: motion-correction toolkit"),
                ],
            ),
            (
                "Ultrasound training simulator",
                "engineering",
                "medium",
                "approved",
                "nova",
                ["emu", "efh"],
                20,
                380,
                [("hu.bo", "lead"), ("han.yu", "member"), ("pan.qing", "member")],
                [t["han"]],
                [],
            ),
        ]
        for (
            title,
            kind,
            size,
            status,
            lead,
            partners,
            start,
            end,
            members,
            advisors,
            outputs,
        ) in projects:
            project, created = m.Project.objects.get_or_create(
                program=program,
                title=title,
                defaults={
                    "kind": kind,
                    "size": size,
                    "status": status,
                    "lead_organization": self.orgs[lead],
                    "start_date": self.day(start) if start is not None else None,
                    "end_date": self.day(end) if end is not None else None,
                    "description": f"A {size} {kind} project of {PROGRAM_CODE}.",
                },
            )
            if created:
                project.partner_organizations.add(*(self.orgs[key] for key in partners))
            for key, role in members:
                m.ProjectMember.objects.get_or_create(
                    project=project, user=s[key].user, defaults={"role": role}
                )
            for advisor in advisors:
                m.ProjectMember.objects.get_or_create(
                    project=project, user=advisor.user, defaults={"role": "advisor"}
                )
            for output_kind, output_title in outputs:
                m.ProjectOutput.objects.get_or_create(
                    project=project,
                    title=output_title,
                    defaults={"kind": output_kind, "produced_on": self.day(end or 0)},
                )

    def funds(self, program: m.Program) -> None:
        admin = self.accounts["progadmin"]
        start, end = self.day(-240), self.day(125)
        lines = {
            "stipends": ("emu", "stipends", "Student stipends", "600000.00"),
            "consumables": ("efh", "materials", "Clinical training consumables", "80000.00"),
            "scanner": ("lumina", "equipment", "Training scanner time", "150000.00"),
            "fees": ("emu", "tutor_fees", "Practice tutor fees", "120000.00"),
            "publications": ("ibi", "publication", "Publications and patents", "40000.00"),
        }
        line_rows: dict[str, m.BudgetLine] = {}
        for key, (holder, category, title, amount) in lines.items():
            line_rows[key], _ = m.BudgetLine.objects.get_or_create(
                program=program,
                holder=self.orgs[holder],
                title=title,
                defaults={
                    "category": category,
                    "amount": Decimal(amount),
                    "start_date": start,
                    "end_date": end,
                    "approver": admin,
                },
            )
        c = self.coordinators
        # line, description, payee, amount, days from today, submitter, status, approver
        spending = [
            ("stipends", "Stipends, first month", "Students (monthly stipends)", "45000.00",
             -90, c["emu"], "approved", admin),
            ("stipends", "Stipends, second month", "Students (monthly stipends)", "45000.00",
             -60, c["emu"], "approved", admin),
            ("stipends", "Stipends, third month", "Students (monthly stipends)", "45000.00",
             -30, c["emu"], "submitted", None),
            # Three approved purchases take the line over its amount: overspent.
            ("consumables", "Contrast media for training scans", "Contrast Media Co.",
             "38000.00", -120, c["efh"], "approved", admin),
            ("consumables", "Film, printing and archiving", "Imaging Supplies Ltd.", "30500.00",
             -70, c["efh"], "approved", admin),
            ("consumables", "Training phantoms", "Phantom Labs", "17800.00", -20, c["efh"],
             "approved", admin),
            # The same invoice entered twice: same payee, amount and date.
            ("scanner", "Scanner time, March block (invoice LIS-2291)",
             "Lumina Imaging Systems Co.", "12400.00", -40, c["lumina"], "approved", admin),
            ("scanner", "Scanner time, March block (invoice LIS-2291, again)",
             "Lumina Imaging Systems Co.", "12400.00", -40, c["lumina"], "approved", admin),
            ("scanner", "Service engineer training day", "Lumina Imaging Systems Co.",
             "6200.00", -15, c["lumina"], "rejected", admin),
            # Approved by the person who submitted it.
            ("fees", "Practice tutor fees, autumn term", "EFH teaching office", "9600.00", -25,
             admin, "approved", admin),
            ("fees", "Practice tutor fees, spring term", "RPH teaching office", "14400.00",
             -150, c["emu"], "approved", admin),
            # Dated before the line's period starts.
            ("publications", "Open-access fee, MR motion-correction paper", "University Press",
             "6800.00", -265, c["ibi"], "approved", admin),
            ("publications", "Patent attorney, first filing", "Bright IP Partners", "9000.00",
             -50, c["ibi"], "submitted", None),
        ]  # fmt: skip
        for line, description, payee, amount, offset, submitter, status, approver in spending:
            spent_on = self.day(offset)
            submitted_at = self.at(spent_on + dt.timedelta(days=1))
            decided = status != "submitted"
            m.Expenditure.objects.get_or_create(
                line=line_rows[line],
                description=description,
                defaults={
                    "amount": Decimal(amount),
                    "spent_on": spent_on,
                    "category": line_rows[line].category,
                    "payee": payee,
                    "submitted_by": submitter,
                    "submitted_at": submitted_at,
                    "status": status,
                    "approved_by": approver,
                    "decided_at": self.at(spent_on + dt.timedelta(days=3)) if decided else None,
                    "rejection_reason": "Training days are paid from the training line."
                    if status == "rejected"
                    else "",
                },
            )


def seed_programs_demo() -> m.Program | None:
    """Create the MIT-2025 demo program and everything in it, once; returns the program (None
    if it has been deleted since)."""
    seed_demo_accounts()
    program = seed_once(
        "programs", _seed, already_there=m.Program.objects.filter(code=PROGRAM_CODE).exists
    )
    return program or m.Program.objects.filter(code=PROGRAM_CODE).first()


@transaction.atomic
def _seed() -> m.Program:
    return _Demo().run()
