"""Fixtures of the receiving side: real packages from several communes (made once per session by the commune
side), a forged one of each kind, and a recipient register set up for the province."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.dossier import bag
from app.recipient.communes import add_commune
from app.recipient.trust import add_trust_anchors
from app.recipient.workspace import Agency, RecipientWorkspace
from tests.recipient.factory import PROVINCE, CommunePki, make_commune, make_package, new_version

YEAR = 2025
COMMUNES = ("Đồng Tiến", "Quyết Thắng", "Tân Cương", "Phúc Xuân", "Sơn Cẩm", "Linh Sơn")
ON_TIME = dt.date(2026, 2, 20)
LATE = dt.date(2026, 3, 5)


def tamper(source: Path, target: Path) -> Path:
    """A forger's change: one evidence file altered, both manifests recomputed, the old signature kept."""
    with zipfile.ZipFile(source) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    root = next(iter(files)).split("/")[0]
    victim = next(name for name in sorted(files) if "/data/evidence/" in name)
    files[victim] = files[victim] + "% trang bổ sung".encode()
    relative = {name[len(root) + 1:]: data for name, data in files.items()}
    payload = {n: hashlib.sha256(d).hexdigest() for n, d in relative.items() if n.startswith("data/")}
    relative[bag.PAYLOAD_MANIFEST] = bag.manifest_text(payload)
    info_text = bag.parse_bag_info(relative["bag-info.txt"])
    info_text["Payload-Oxum"] = bag.payload_oxum(sum(len(d) for n, d in relative.items() if n.startswith("data/")),
                                                 len(payload))
    relative["bag-info.txt"] = bag.bag_info_text(list(info_text.items()))
    relative[bag.TAG_MANIFEST] = bag.manifest_text(
        {n: hashlib.sha256(relative[n]).hexdigest() for n in bag.TAG_FILES})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for name in sorted(relative):
            out.writestr(f"{root}/{name}", relative[name])
    target.write_bytes(buffer.getvalue())
    return target


@dataclass
class Dossiers:
    """Packages by what they are; `on_time` and `late` are folders handed in on different days."""

    folder: Path
    pki: CommunePki
    packages: dict[str, Path] = field(default_factory=dict)

    @property
    def on_time(self) -> Path:
        return self.folder / "usb-dung-han"

    @property
    def late(self) -> Path:
        return self.folder / "usb-sau-han"


@pytest.fixture(scope="session")
def dossiers(tmp_path_factory) -> Dossiers:
    root = tmp_path_factory.mktemp("dossiers")
    pki = CommunePki.create(root / "pki")
    pki.issue("sở", "Sở Giáo dục và Đào tạo tỉnh Thái Nguyên")
    made = Dossiers(root, pki)
    built = root / "built"
    # Đồng Tiến sends version 1, then (after an unlock) version 2 that supersedes it.
    ws = make_commune(built / "dong-tien", "Đồng Tiến", level=1, seed=1)
    from tests.recipient.factory import export

    made.packages["dong_tien_v1"] = export(ws, YEAR, built / "dong-tien-v1.zip", pki.commune_key("Đồng Tiến"))
    made.packages["dong_tien_v2"] = new_version(ws, YEAR, built / "dong-tien-v2.zip", pki.commune_key("Đồng Tiến"))
    ws.close()
    made.packages["quyet_thang"] = make_package(built / "quyet-thang", "Quyết Thắng", pki.commune_key("Quyết Thắng"),
                                                level=2, seed=2)
    made.packages["foreign"] = make_package(built / "tan-cuong", "Tân Cương", pki.commune_key("Đồng Tiến"), seed=3)
    genuine_phuc_xuan = make_package(built / "phuc-xuan", "Phúc Xuân", pki.commune_key("Phúc Xuân"), seed=4)
    made.packages["tampered"] = tamper(genuine_phuc_xuan, built / "phuc-xuan-sua.zip")
    made.packages["late"] = make_package(built / "son-cam", "Sơn Cẩm", pki.commune_key("Sơn Cẩm"), seed=5)
    impostor = pki.issue("giả", "Ủy ban nhân dân xã Linh Sơn", PROVINCE, self_signed=True)
    made.packages["impostor"] = make_package(built / "linh-son", "Linh Sơn", impostor, seed=6)
    made.packages["unknown"] = make_package(built / "la-bang", "La Bằng", pki.commune_key("La Bằng"), seed=7)
    on_time = made.on_time
    (on_time / "thu-muc-con" / "sau-hon").mkdir(parents=True)
    shutil.copy(made.packages["dong_tien_v1"], on_time / "HoSo-CDHT-dong-tien-2025-v1.zip")
    shutil.copy(made.packages["dong_tien_v2"], on_time / "thu-muc-con" / "HoSo-CDHT-dong-tien-2025-v2.zip")
    shutil.copy(made.packages["dong_tien_v2"], on_time / "thu-muc-con" / "sau-hon" / "ban-sao.zip")
    shutil.copy(made.packages["quyet_thang"], on_time / "HoSo-CDHT-quyet-thang-2025-v1.zip")
    shutil.copy(made.packages["foreign"], on_time / "HoSo-CDHT-tan-cuong-2025-v1.zip")
    shutil.copy(made.packages["tampered"], on_time / "HoSo-CDHT-phuc-xuan-2025-v1.zip")
    shutil.copy(made.packages["impostor"], on_time / "HoSo-CDHT-linh-son-2025-v1.zip")
    shutil.copy(made.packages["unknown"], on_time / "HoSo-CDHT-la-bang-2025-v1.zip")
    (on_time / "ghi-chu.txt").write_text("Danh sách hồ sơ", encoding="utf-8")
    with zipfile.ZipFile(on_time / "anh-hoi-nghi.zip", "w") as other:
        other.writestr("anh.jpg", b"\xff\xd8 not a dossier")
    made.late.mkdir()
    shutil.copy(made.packages["late"], made.late / "HoSo-CDHT-son-cam-2025-v1.zip")
    return made


def open_register(folder: Path, pki: CommunePki) -> RecipientWorkspace:
    rws = RecipientWorkspace.open(folder / "cdht-tiep-nhan.sqlite3", user="Nguyễn Thị Văn Thư")
    rws.save_agency(Agency("Sở Giáo dục và Đào tạo", PROVINCE, head_name="Trần Văn Hùng"))
    for name in COMMUNES:
        add_commune(rws, name, PROVINCE, contact=f"ubnd.{name.split()[-1].lower()}@thainguyen.gov.vn")
    add_trust_anchors(rws, pki.ca_pem)
    return rws


@pytest.fixture
def rws(tmp_path, dossiers) -> RecipientWorkspace:
    workspace = open_register(tmp_path / "so", dossiers.pki)
    yield workspace
    workspace.close()


COUNCIL = ("Nguyễn Văn Hải|chủ tịch|Phó Giám đốc Sở Giáo dục và Đào tạo",
           "Lê Thị Thu|thư ký|Chuyên viên Phòng Giáo dục thường xuyên",
           "Trần Quốc Bảo|ủy viên|Chủ tịch Hội Khuyến học tỉnh",
           "Phạm Thị Lan|ủy viên|Phó Chủ tịch Ủy ban MTTQ Việt Nam tỉnh",
           "Hoàng Minh Đức|ủy viên|Phó Bí thư Tỉnh đoàn")
REFUSAL_NOTE = "Danh sách công dân học tập chưa có xác nhận của các thôn"
DECISION_DATE = dt.date(2026, 3, 25)


def appraise_round(rws: RecipientWorkspace) -> None:
    """The council agrees with Đồng Tiến and Quyết Thắng and finds Sơn Cẩm's 5.1 not met; all concluded."""
    from app.recipient import appraisal as ap
    from app.recipient.register import register_rows

    ap.set_council(rws, YEAR, "meeting", [ap.parse_member(m) for m in COUNCIL],
                   "Quyết định số 45/QĐ-SGDĐT ngày 02/3/2026 của Giám đốc Sở Giáo dục và Đào tạo về việc thành lập "
                   "Hội đồng đánh giá", dt.date(2026, 3, 20))
    rows = {r.commune: r for r in register_rows(rws, YEAR)}
    for commune in ("Đồng Tiến", "Quyết Thắng", "Sơn Cẩm"):
        package_id = rows[commune].package_id
        if commune == "Sơn Cẩm":
            ap.record_verdict(rws, package_id, "5.1", 1, "not_met", REFUSAL_NOTE)
        ap.agree_with_self_assessment(rws, package_id)
        ap.conclude(rws, package_id)


@dataclass(frozen=True)
class Decided:
    """A register whose 2025 round is received, appraised and decided (shared read-only; copy before changing)."""

    folder: Path
    dossiers: Dossiers

    def open(self, target: Path) -> RecipientWorkspace:
        shutil.copytree(self.folder, target)
        return RecipientWorkspace.open(target / "cdht-tiep-nhan.sqlite3", user="Lê Thị Thu")


@pytest.fixture(scope="session")
def decided(dossiers, tmp_path_factory) -> Decided:
    from app.recipient.decisions import decide
    from app.recipient.intake import intake_paths, received_on

    folder = tmp_path_factory.mktemp("decided") / "so"
    rws = open_register(folder, dossiers.pki)
    intake_paths(rws, [dossiers.on_time], received_on(ON_TIME))
    intake_paths(rws, [dossiers.late], received_on(LATE))
    appraise_round(rws)
    decide(rws, YEAR, "123", DECISION_DATE, reply_from=45)
    rws.close()
    return Decided(folder, dossiers)
