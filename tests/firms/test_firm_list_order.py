"""The firm list's names in pinyin order (a stored key, the same on SQLite and PostgreSQL), several keywords at once,
and a pager with first and last page and a page count."""

import re
from pathlib import Path

import sqlalchemy as sa

from pipeline.auth.models import Role
from pipeline.firms import search
from pipeline.firms.models import Firm
from pipeline.firms.sort_key import name_sort_key
from tests import test_migrations
from tests.conftest import make_test_app
from tests.firms.test_firm_list import names, ordered_names


def test_the_sort_key_follows_pinyin_then_the_character():
    names = ["张三科技有限公司", "阿里轴承有限公司", "西安精工有限公司", "先锋轴承有限公司", "新昌鑫达有限公司",
             "新昌新达有限公司", "新昌欣达有限公司", "ABC 机电有限公司", "重庆机械有限公司"]
    ordered = sorted(names, key=name_sort_key)
    assert ordered[:2] == ["阿里轴承有限公司", "ABC 机电有限公司"]
    assert ordered.index("重庆机械有限公司") < ordered.index("西安精工有限公司")  # 重庆 chóng, not zhòng
    assert ordered.index("西安精工有限公司") < ordered.index("先锋轴承有限公司")  # xi an before xian
    # Homophones (新 鑫 欣, all xīn) group by character rather than interleave by what follows.
    xin = [n for n in ordered if n.startswith("新昌")]
    assert xin == sorted(xin, key=lambda n: ord(n[2]))
    assert set(name_sort_key("新昌（浙江）轴承 No.1")) <= set("abcdefghijklmnopqrstuvwxyz0123456789")


def test_a_rename_keeps_the_key_and_the_list_sorts_by_it(client, db, login_as, make_firm):
    login_as(Role.OFFICER)
    for name in ("张家轴承有限公司", "阿里轴承有限公司", "北方轴承有限公司"):
        make_firm(name=name)
    renamed = make_firm(name="甲乙轴承有限公司")
    db.session.commit()
    assert ordered_names(client, "?sort=name") == ["阿里轴承有限公司", "北方轴承有限公司", "甲乙轴承有限公司",
                                                   "张家轴承有限公司"]
    client.post(f"/firms/{renamed.id}/edit", data={"name": "中天轴承有限公司", "credit_code": renamed.credit_code,
                                                   "town_id": renamed.town_id})
    db.session.expire_all()
    assert db.session.get(Firm, renamed.id).name_sort_key == name_sort_key(db.session.get(Firm, renamed.id).name)
    firms = ordered_names(client, "?sort=-name")
    assert firms[-1] == "阿里轴承有限公司" and firms[0] == db.session.get(Firm, renamed.id).name


def test_several_keywords_must_all_match(client, db, login_as, make_firm):
    login_as(Role.OFFICER)
    for name in ("新昌县儒岙轴承有限公司", "儒岙茶叶有限公司", "新昌轴承有限公司", "浙江儒岙精密轴承厂"):
        make_firm(name=name)
    db.session.commit()
    assert names(client, "?q=儒岙 轴承") == {"新昌县儒岙轴承有限公司", "浙江儒岙精密轴承厂"}
    assert names(client, "?q=轴承　儒岙") == {"新昌县儒岙轴承有限公司", "浙江儒岙精密轴承厂"}  # a full-width space
    assert names(client, "?q=儒岙 轴承 精密") == {"浙江儒岙精密轴承厂"}
    assert names(client, "?q=儒岙 火箭") == set()
    page = client.get("/firms/?q=儒岙 轴承").get_data(as_text=True)
    assert "多个关键词用空格分开" in page


def test_a_keyword_and_a_credit_code_fragment_together(client, db, login_as, make_firm):
    login_as(Role.OFFICER)
    wanted = make_firm(name="儒岙轴承有限公司")
    make_firm(name="儒岙精工有限公司")
    db.session.commit()
    assert names(client, f"?q=轴承 {wanted.credit_code[-8:]}") == {"儒岙轴承有限公司"}


def test_the_pager_has_first_and_last_page_and_a_page_count(client, db, login_as, make_firm):
    login_as(Role.OFFICER)
    for index in range(45):
        make_firm(name=f"分页企业{index:02d}有限公司")
    db.session.commit()
    first = client.get("/firms/?per_page=20").get_data(as_text=True)
    assert "第 1 页，共 3 页" in first
    assert re.search(r'<li class="page-item disabled"><a class="page-link" href="[^"]*"[^>]*>首页</a>', first)
    assert re.search(r'href="/firms/\?per_page=20&amp;page=3"[^>]*>末页</a>', first)
    last = client.get("/firms/?per_page=20&page=3").get_data(as_text=True)
    assert "第 3 页，共 3 页" in last and len(ordered_names(client, "?per_page=20&page=3")) == 5
    assert re.search(r'<li class="page-item disabled"><a class="page-link" href="[^"]*"[^>]*>末页</a>', last)
    assert re.search(r'href="/firms/\?per_page=20"[^>]*>首页</a>', last)


def test_past_the_capped_count_the_last_page_link_counts_to_the_end(client, db, login_as, make_firm, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 20)  # the list counts up to 3 pages ahead, as it counts 5,000 at scale
    login_as(Role.OFFICER)
    for index in range(70):
        make_firm(name=f"分页企业{index:02d}有限公司")
    db.session.commit()
    first = client.get("/firms/?per_page=20").get_data(as_text=True)
    assert "超过 60 家" in first and "第 1 页，共 3 页以上" in first
    assert re.search(r'href="/firms/\?per_page=20&amp;page=last"[^>]*>末页</a>', first)
    last = client.get("/firms/?per_page=20&page=last").get_data(as_text=True)
    assert "第 4 页，共 4 页" in last and "共 70 家" in last
    assert ordered_names(client, "?per_page=20&page=last") == [f"分页企业{i:02d}有限公司" for i in range(60, 70)]


scratch_url = test_migrations.scratch_url  # the fixture of an empty database of the test's own


def test_the_migration_fills_the_key_of_every_existing_firm(scratch_url):
    from flask_migrate import downgrade, upgrade

    app = make_test_app(scratch_url)
    with app.app_context():
        from pipeline.extensions import db

        upgrade(revision="0024_workbench")
        db.session.execute(sa.text("INSERT INTO town (id, name, sort_order) VALUES (1, '儒岙镇', 1)"))
        db.session.execute(sa.text(
            "INSERT INTO firm (id, credit_code, name, town_id, address, legal_rep, contact_name, contact_phone, "
            "contact_email, notes, created_at, updated_at) VALUES "
            "(1, '91330624000000001A', '张家轴承有限公司', 1, '', '', '', '', '', '', '2026-01-01', '2026-01-01'), "
            "(2, '91330624000000002A', '阿里轴承有限公司', 1, '', '', '', '', '', '', '2026-01-01', '2026-01-01')"))
        db.session.commit()
        upgrade(revision="0025_firm_list")
        keys = dict(db.session.execute(sa.text("SELECT name, name_sort_key FROM firm")).all())
        assert keys == {name: name_sort_key(name) for name in ("张家轴承有限公司", "阿里轴承有限公司")}
        grams = db.session.execute(sa.text("SELECT count(*) FROM firm_search_gram WHERE gram = '轴承'")).scalar()
        assert grams == 2  # the search triggers survived the new column
        db.session.remove()
        downgrade(revision="0024_workbench")
        assert "name_sort_key" not in {c["name"] for c in sa.inspect(db.engine).get_columns("firm")}
        db.session.remove()
        db.engine.dispose()


def test_the_word_cache_gives_each_name_the_reading_of_the_whole_name():
    """Syllables are looked up word by word (an import's names share their words): a character read differently
    inside a phrase (行 háng in 银行, xíng alone; 长 cháng in 长沙) must keep its reading in every name, as pinyin()
    of the whole name gives it, whichever name came first."""
    from pypinyin import Style, pinyin

    names = ["行远科技有限公司", "重庆银行长沙分行", "长乐重工有限公司", "ABC科技(新昌)有限公司", "浙江3D打印有限公司",
             "㮾䶮精工", "音乐与快乐", "朝阳区的朝气", "绍兴市上虞区曹娥街道", "Ｘ光科技", "  ", ""]
    for name in names:
        key, position = name_sort_key(name), 0
        whole = pinyin(name, style=Style.TONE3, heteronym=False, errors=list)
        for char, (syllable,) in zip(name, whole, strict=True):
            if syllable != char and syllable.isascii():  # a Chinese character and its reading in the whole name
                piece = f"{syllable.lower() if syllable[-1].isdigit() else syllable.lower() + '5'}{ord(char):05x}"
                position = key.index(piece, position) + len(piece)  # ValueError: another reading, or out of order
    assert "hang2" in name_sort_key("重庆银行") and "xing2" in name_sort_key("行远")


def test_a_worker_loads_pypinyin_only_when_it_makes_a_key(tmp_path):
    """pypinyin's dictionaries take ~58 MB in each web worker; a worker that never creates or renames a firm (most of
    them, and the one rendering the monthly report) must not carry them."""
    import subprocess
    import sys

    script = ("import sys; from pipeline import create_app; create_app('development'); "
              "print('pypinyin' in sys.modules); from pipeline.firms.sort_key import name_sort_key; "
              "name_sort_key('新昌'); print('pypinyin' in sys.modules)")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "SECRET_KEY": "x" * 32,
           "PIPELINE_SCHEDULER": "0"}
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True,
                           cwd=Path(__file__).resolve().parents[2]).stdout.split()
    assert shown == ["False", "True"]
