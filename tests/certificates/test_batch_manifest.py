"""The batch ZIP's 清单.csv is a spreadsheet too: a firm name that looks like a formula is written as data."""

import csv
import io
import zipfile

from pipeline.certificates.batches import create_batch, run_batch
from pipeline.db import utcnow


def test_manifest_neutralises_a_formula_like_firm_name(db, issue, make_firm, make_record, tmp_path):
    issue(make_record(make_firm(name="@SUM(1,1)*cmd企业有限公司")))
    batch = create_batch(2026, reason="换发", actor=None, now=utcnow())
    db.session.commit()
    batch = run_batch(batch.id, out_dir=tmp_path)
    with zipfile.ZipFile(batch.zip_path) as archive:
        rows = list(csv.reader(io.StringIO(archive.read("清单.csv").decode("utf-8-sig"))))
    assert rows[1][1] == "'@SUM(1,1)*cmd企业有限公司"
