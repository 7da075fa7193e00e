"""A lawful 评委会 for a lot, as experts.drawn and the agency leave it (the
message and the pages are tested in test_committee.py)."""
import datetime as dt

NAMES = ("刘建国", "陈秀兰", "杨志强", "黄丽华", "周明", "吴磊", "郑芳")


def seat_committee(app, lot_id, size=5):
    """`size` drawn experts, the first one 评审组长, straight into the database."""
    from app.extensions import db
    from app.models import CommitteeMember, Lot

    with app.app_context():
        lot = db.session.get(Lot, lot_id)
        lot.experts_received_at = dt.datetime.now()
        for position, name in enumerate(NAMES[:size], 1):
            db.session.add(CommitteeMember(
                lot=lot, source="抽取专家", state="在册", expert_key=f"T{lot_id}-{position}",
                name=name, speciality="A0201 计算机设备", work_unit="平顶山学院",
                position=position, is_chair=position == 1))
        db.session.commit()
