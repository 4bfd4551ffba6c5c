"""The review meeting (họp xét, TT 25/2023 Điều 9 khoản 1 điểm c): its record, its composition check and the
facts every document states about it.

Each attendee has named fields (name, title, organisation, role) and is either present or absent with a
reason. The role says which body of Điều 9.1.c the person represents; the commune's socio-political
organisations are a setting (`meeting.organisations`, the usual five by default). Documents never describe the
meeting in their own words: `meeting_facts` derives every count and list from the recorded minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.errors import InputError
from app.text import clean_text, fold, format_date_short, parse_user_date

LEADER_UBND, KHUYEN_HOC, MTTQ, ORGANISATION, OTHER = "lanh_dao_ubnd", "khuyen_hoc", "mttq", "to_chuc_ctxh", "khac"
#: Roles an attendee can have, with the labels forms and messages use.
ROLES: dict[str, str] = {
    LEADER_UBND: "Lãnh đạo UBND xã",
    KHUYEN_HOC: "Hội Khuyến học xã",
    MTTQ: "Ủy ban MTTQ Việt Nam xã",
    ORGANISATION: "Tổ chức chính trị - xã hội",
    OTHER: "Thành phần khác",
}
ORGANISATIONS_SETTING = "meeting.organisations"
#: The commune's socio-political organisations when the commune has not set its own list.
DEFAULT_ORGANISATIONS = ("Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh", "Đoàn TNCS Hồ Chí Minh",
                         "Công đoàn")
#: Other usual ways of writing the default organisations (folded), so "Đoàn Thanh niên xã" is recognised.
_ALIASES = {
    "Hội Liên hiệp Phụ nữ": ("hoi lhpn", "hoi phu nu", "hoi lien hiep phu nu"),
    "Đoàn TNCS Hồ Chí Minh": ("doan thanh nien", "doan tncs", "doan tn"),
    "Hội Cựu chiến binh": ("hoi ccb",),
}
#: Words of a leader's title (folded): chủ tịch, phó chủ tịch, bí thư, phó bí thư, trưởng, phó trưởng…
_LEADER_WORDS = ("chu tich", "bi thu", "truong")
_UBND_LEADER_TITLE = re.compile(r"^(pho )?chu tich( (ubnd|uy ban nhan dan)( (xa|phuong|thi tran|dac khu))?)?$")
_LEVEL_MENTION = re.compile(r"muc do (\d)")


@dataclass(frozen=True)
class Attendee:
    """One person of the meeting's composition (chair and secretary are recorded separately)."""

    name: str
    title: str = ""
    organisation: str = ""
    role: str = ""  # one of ROLES; '' only before validation (then inferred from the organisation)
    present: bool = True
    absence_reason: str = ""

    @property
    def described(self) -> str:
        """'Lê Thị Hằng, Chủ tịch Hội Khuyến học xã' — name, title and organisation without separators."""
        return ", ".join(part for part in (self.name, " ".join(p for p in (self.title, self.organisation) if p)) if part)

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"name": self.name, "title": self.title, "organisation": self.organisation,
                                  "role": self.role}
        if not self.present:
            result.update(present=False, absence_reason=self.absence_reason)
        return result


@dataclass(frozen=True)
class ReviewMeeting:
    """The meeting that reviews and agrees the self-assessment result."""

    meeting_date: dt.date
    chair_name: str
    chair_title: str = ""
    place: str = ""
    start_time: str = ""
    end_time: str = ""
    secretary_name: str = ""
    secretary_title: str = ""
    attendees: tuple[Attendee, ...] = ()
    content: str = ""
    conclusions: str = ""
    level_agreed: int | None = None

    @property
    def present(self) -> tuple[Attendee, ...]:
        return tuple(a for a in self.attendees if a.present)

    @property
    def absent(self) -> tuple[Attendee, ...]:
        return tuple(a for a in self.attendees if not a.present)

    def to_json(self) -> dict[str, Any]:
        return {
            "meeting_date": self.meeting_date.isoformat(), "chair_name": self.chair_name,
            "chair_title": self.chair_title, "place": self.place, "start_time": self.start_time,
            "end_time": self.end_time, "secretary_name": self.secretary_name,
            "secretary_title": self.secretary_title, "attendees": [a.to_json() for a in self.attendees],
            "content": self.content, "conclusions": self.conclusions, "level_agreed": self.level_agreed,
        }


# ---------------------------------------------------------------------- the organisation list

def meeting_name_key(name: str) -> str:
    """A folded organisation name without the unit word at its end ('Hội Nông dân xã' -> 'hoi nong dan')."""
    folded = " ".join(fold(name).replace("-", " ").split())
    return re.sub(r"\s+(cap )?(xa|phuong|thi tran|dac khu)(\s.*)?$", "", folded)


def matching_organisation(organisation: str, names: Sequence[str]) -> str | None:
    """The configured organisation that `organisation` (as typed) names, or None."""
    typed = meeting_name_key(organisation)
    if not typed:
        return None
    for name in names:
        forms = (meeting_name_key(name), *_ALIASES.get(name, ()))
        if any(typed == form or typed.startswith(form + " ") for form in forms):
            return name
    return None


def infer_role(organisation: str, title: str, names: Sequence[str]) -> str:
    """The role of an attendee recorded without one (older files): from the organisation, when unambiguous."""
    text = fold(f"{organisation} {title}")
    found = []
    if "khuyen hoc" in text:
        found.append(KHUYEN_HOC)
    if "mat tran" in text or "mttq" in text:
        found.append(MTTQ)
    if matching_organisation(organisation, names):
        found.append(ORGANISATION)
    if not found and ("uy ban nhan dan" in text or "ubnd" in text):
        found.append(LEADER_UBND)
    if len(found) > 1:
        raise InputError(f"Không rõ “{organisation or title}” đại diện cho {' hay '.join(ROLES[r] for r in found)}; "
                         "hãy ghi vai trò (role) của người này.")
    return found[0] if found else OTHER


# ---------------------------------------------------------------------- reading and validating

def _attendee(item: Any, number: int, names: Sequence[str]) -> Attendee:
    if isinstance(item, str):  # an older file: "Tên|Chức vụ|Cơ quan"
        parts = [part.strip() for part in item.split("|")]
        if len(parts) > 3:
            raise InputError(f"Người dự họp thứ {number} (“{item}”) có quá 3 phần ngăn bằng “|”; hãy ghi dạng "
                             "đối tượng với các trường name, title, organisation, role.")
        item = dict(zip(("name", "title", "organisation"), parts, strict=False))
    if not isinstance(item, dict):
        raise InputError(f"Người dự họp thứ {number} phải có họ tên (name), chức vụ (title), cơ quan (organisation).")
    unknown = set(item) - {"name", "title", "organisation", "role", "present", "absence_reason"}
    if unknown:
        raise InputError(f"Người dự họp thứ {number} có trường lạ: {', '.join(sorted(unknown))}.")
    name = " ".join(clean_text(item.get("name"), f"Họ tên người dự họp thứ {number}", required=True, single_line=True).split())
    if "|" in name:
        raise InputError(f"Họ tên người dự họp thứ {number} (“{name}”) chứa dấu “|”; hãy tách chức vụ, cơ quan ra "
                         "các trường title, organisation.")
    title = " ".join(clean_text(item.get("title"), f"Chức vụ của {name}", single_line=True).split())
    organisation = " ".join(clean_text(item.get("organisation"), f"Cơ quan, tổ chức của {name}", single_line=True).split())
    role = clean_text(item.get("role"), f"Vai trò của {name}", single_line=True)
    if not role:
        role = infer_role(organisation, title, names)
    if role not in ROLES:
        raise InputError(f"Vai trò “{role}” của {name} không hợp lệ; chỉ có: {', '.join(ROLES)}.")
    if role == ORGANISATION and not matching_organisation(organisation, names):
        raise InputError(f"“{organisation or '(trống)'}” của {name} không có trong danh sách tổ chức chính trị - xã "
                         f"hội của xã ({', '.join(names)}); hãy ghi đúng tên tổ chức hoặc sửa danh sách.")
    present = item.get("present", True)
    if not isinstance(present, bool):
        raise InputError(f"Có mặt (present) của {name} phải là true hoặc false.")
    reason = " ".join(clean_text(item.get("absence_reason"), f"Lý do vắng mặt của {name}", single_line=True).split())
    if not present and not reason:
        raise InputError(f"{name} vắng mặt: hãy ghi lý do vắng mặt (absence_reason).")
    if present and reason:
        raise InputError(f"{name} có mặt nhưng lại có lý do vắng mặt; hãy bỏ một trong hai.")
    return Attendee(name, title, organisation, role, present, reason)


def meeting_from_json(raw: Any, names: Sequence[str] = DEFAULT_ORGANISATIONS) -> ReviewMeeting:
    """A validated meeting record from a form or a `hop.json` file (dates as 05/02/2026 or 2026-02-05).

    Older files are read where that is unambiguous: attendees as "Tên|Chức vụ|Cơ quan" strings, and attendees
    without a role (the role is inferred from the organisation).
    """
    if not isinstance(raw, dict):
        raise InputError("Biên bản họp xét phải là một đối tượng JSON.")
    if not raw.get("meeting_date"):
        raise InputError("Ngày họp xét không được để trống.")
    attendees_raw = raw.get("attendees") or []
    if not isinstance(attendees_raw, list):
        raise InputError("Danh sách thành phần dự họp (attendees) phải là một danh sách.")
    attendees = tuple(_attendee(item, number, names) for number, item in enumerate(attendees_raw, start=1))
    level = raw.get("level_agreed")
    if level in ("", None, 0, "0"):
        level = None
    else:
        if isinstance(level, bool) or not isinstance(level, (int, str)) or str(level).strip() not in ("1", "2"):
            raise InputError(f"Mức độ thống nhất đề nghị {level!r} phải là 1 hoặc 2.")
        level = int(level)
    conclusions = clean_text(raw.get("conclusions"), "Kết luận cuộc họp")
    mentioned = {int(n) for n in _LEVEL_MENTION.findall(fold(conclusions))}
    if level is not None and mentioned and level not in mentioned:
        raise InputError(f"Kết luận ghi “mức độ {min(mentioned)}” nhưng mức độ thống nhất đề nghị là {level}; "
                         "hãy sửa cho khớp.")
    return ReviewMeeting(
        meeting_date=parse_user_date(raw["meeting_date"], "Ngày họp xét"),
        chair_name=" ".join(clean_text(raw.get("chair_name"), "Người chủ trì", required=True, single_line=True).split()),
        chair_title=" ".join(clean_text(raw.get("chair_title"), "Chức vụ người chủ trì", single_line=True).split()),
        place=clean_text(raw.get("place"), "Địa điểm họp", single_line=True),
        start_time=clean_text(raw.get("start_time"), "Giờ bắt đầu", single_line=True),
        end_time=clean_text(raw.get("end_time"), "Giờ kết thúc", single_line=True),
        secretary_name=" ".join(clean_text(raw.get("secretary_name"), "Thư ký", single_line=True).split()),
        secretary_title=" ".join(clean_text(raw.get("secretary_title"), "Chức vụ thư ký", single_line=True).split()),
        attendees=attendees,
        content=clean_text(raw.get("content"), "Nội dung cuộc họp"),
        conclusions=conclusions,
        level_agreed=level,
    )


def conclusions_state_level(meeting: ReviewMeeting) -> bool:
    """Whether the typed conclusions already say the agreed level (then documents do not repeat it)."""
    return meeting.level_agreed is not None and str(meeting.level_agreed) in _LEVEL_MENTION.findall(
        fold(meeting.conclusions))


# ---------------------------------------------------------------------- storage

# ---------------------------------------------------------------------- Điều 9 khoản 1 điểm c

def _is_leader(title: str) -> bool:
    folded = fold(title)
    return any(word in folded for word in _LEADER_WORDS)


def composition_problems(meeting: ReviewMeeting, names: Sequence[str]) -> list[str]:
    """What the recorded composition lacks under TT 25/2023 Điều 9 khoản 1 điểm c, one line each.

    A leader of the UBND xã chairs; the leaders of the Hội Khuyến học, the UB MTTQ and each socio-political
    organisation of the commune attend, or their absence is recorded with a reason.
    """
    problems = []
    chair_title = fold(meeting.chair_title).replace("-", " ")
    if not meeting.chair_title:
        problems.append("Chưa ghi chức vụ người chủ trì (phải là Chủ tịch hoặc Phó Chủ tịch UBND xã).")
    elif not _UBND_LEADER_TITLE.match(" ".join(chair_title.split())):
        problems.append(f"Người chủ trì ({meeting.chair_name}, {meeting.chair_title}) phải là lãnh đạo UBND xã "
                        "(Chủ tịch hoặc Phó Chủ tịch).")
    bodies: list[tuple[str, str | None, str]] = [(KHUYEN_HOC, None, ROLES[KHUYEN_HOC]), (MTTQ, None, ROLES[MTTQ])]
    bodies += [(ORGANISATION, name, f"{name} xã") for name in names]
    for role, organisation, label in bodies:
        people = [a for a in meeting.attendees if a.role == role
                  and (organisation is None or matching_organisation(a.organisation, names) == organisation)]
        if not people:
            problems.append(f"Thành phần họp xét chưa có lãnh đạo {label} (có mặt, hoặc vắng mặt có lý do).")
            continue
        if not any(_is_leader(a.title) for a in people):
            who = "; ".join(f"{a.name}, {a.title or 'chưa ghi chức vụ'}" for a in people)
            problems.append(f"Người đại diện {label} ({who}) không phải lãnh đạo của tổ chức (Chủ tịch, Phó Chủ tịch, "
                            "Bí thư, Phó Bí thư…).")
    return problems


# ---------------------------------------------------------------------- what documents say about the meeting

@dataclass(frozen=True)
class MeetingFacts:
    """Everything a document states about the meeting, derived from the minutes."""

    date_text: str
    chair: str
    present_count: int
    absent_count: int
    organisations_present: tuple[str, ...]
    organisations_absent: tuple[str, ...]
    level_agreed: int | None


def meeting_facts(meeting: ReviewMeeting) -> MeetingFacts:
    def distinct(people: Sequence[Attendee]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.organisation for a in people if a.organisation))

    chair = ", ".join(part for part in (meeting.chair_name, meeting.chair_title) if part)
    present, absent = meeting.present, meeting.absent
    return MeetingFacts(format_date_short(meeting.meeting_date), chair, len(present), len(absent),
                        distinct(present), tuple(o for o in distinct(absent) if o not in distinct(present)),
                        meeting.level_agreed)
