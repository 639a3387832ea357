"""The API's endpoints: GET only, one scope each, lists in keyset pages. spectree validates the query against its
model (a bad one is a 400 in Chinese) and each answer against its response model."""

from __future__ import annotations

from functools import partial

from flask import abort

from pipeline.api import bp, queries
from pipeline.api import schemas as s
from pipeline.api.cursor import BadCursor
from pipeline.api.gate import has_scope, json_http_error, needs
from pipeline.api.models import ApiScope
from pipeline.api.spec import QUERY_MESSAGES, api_spec, error_response, responses
from pipeline.hygiene import bounded_int
from pipeline.web import MAX_ID

bp.register_error_handler(404, json_http_error)


@bp.errorhandler(BadCursor)
def _bad_cursor(_exc):
    return error_response(400, "bad_request", QUERY_MESSAGES["cursor"])


def _json(model, **values) -> dict:
    """The answer as JSON values (ISO dates): fields a view leaves out (contact) stay out."""
    return model(**values).model_dump(mode="json", exclude_unset=True)


def _page(model, page, item) -> dict:
    return _json(model, items=[item(*row) for row in page.rows], next_cursor=page.next_cursor)


def _list(model, read, item, query: s.ListQuery, **filters) -> dict:
    """One page of a list: `read` with the query's limit, cursor and updated_since, each row made by `item`."""
    return _page(model, read(limit=query.limit, cursor=query.cursor, since=query.updated_since, **filters), item)


def _firm(firm, _changed_at=None) -> dict:
    data = {"id": firm.id, "credit_code": firm.credit_code, "name": firm.name, "town": firm.town.name,
            "industry": firm.industry.name if firm.industry else None, "registered_on": firm.registered_on,
            "address": firm.address, "legal_rep": firm.legal_rep, "created_at": firm.created_at,
            "updated_at": firm.updated_at}
    if has_scope(ApiScope.CONTACTS):
        data["contact"] = {"name": firm.contact_name, "phone": firm.contact_phone, "email": firm.contact_email}
    return data



@bp.get("/firms/<credit_code>")
@needs(ApiScope.FIRMS)
@api_spec.validate(resp=responses(s.FirmOut), tags=["firms"],
                   path_parameter_descriptions={"credit_code": "统一社会信用代码（18 位）"})
def get_firm(credit_code: str):
    """按统一社会信用代码读取一家企业"""
    firm = queries.get_firm_by_code(credit_code[:18])
    if firm is None:
        abort(404)
    return _json(s.FirmOut, **_firm(firm))


def _record(record, changed_at, credit_code) -> dict:
    return {"id": record.id, "firm_id": record.firm_id, "credit_code": credit_code, "track": record.track.code,
            "track_name": record.track.name, "stage": record.stage.value, "stage_entered_at": record.stage_entered_at,
            "last_activity_at": changed_at, "pool_number": record.pool_number,
            "certificate_number": record.certificate_number, "certified_on": record.certified_on,
            "expires_on": record.expires_on, "paused_until": record.paused_until, "exit_reason": record.exit_reason,
            "level": record.level, "created_at": record.created_at}


@bp.get("/records")
@needs(ApiScope.RECORDS)
@api_spec.validate(query=s.RecordQuery, resp=responses(s.RecordPage), tags=["records"])
def list_records(query: s.RecordQuery):
    """培育记录（企业在某培育类别上的当前阶段），按 last_activity_at 与 id 分页"""
    return _list(s.RecordPage, queries.list_records, _record, query, track=query.track)


def _move(move, _changed_at) -> dict:
    return {"id": move.id, "record_id": move.firm_track_id,
            "from_stage": move.from_stage.value if move.from_stage else None, "to_stage": move.to_stage.value,
            "moved_at": move.moved_at, "reason_code": move.reason_code, "note": move.note, "skipped": move.skipped,
            "certificate_number": move.certificate_number, "pool_number": move.pool_number,
            "issued_on": move.issued_on, "expires_on": move.expires_on, "resume_on": move.resume_on,
            "entry_class": move.entry_class, "level": move.level}


@bp.get("/records/<record_id>/history")
@needs(ApiScope.RECORDS)
@api_spec.validate(query=s.ListQuery, resp=responses(s.MovePage), tags=["records"],
                   path_parameter_descriptions={"record_id": "培育记录的 id（/records 返回的 id）"})
def record_history(record_id: str, query: s.ListQuery):
    """一条培育记录的阶段历程（只增不改），按 moved_at 与 id 分页"""
    number = bounded_int(record_id, minimum=1, maximum=MAX_ID)
    record = queries.get_record(number) if number is not None else None
    if record is None:
        abort(404)
    return _list(s.MovePage, partial(queries.list_moves, record), _move, query)


AMOUNTS = ("sales", "cost_expense", "rd", "rd_domestic", "total_assets", "net_assets", "total_revenue",
           "high_tech_revenue")
FACTS = ("ip_class_i", "ip_class_ii", "ip_acquired_only", "hnte_domain", "conversions_3y", "valid_hnte",
         "national_award_top3", "provincial_rd_institution", "led_standard", "restricted_industry", "major_incident",
         "dishonest_list")


def _firm_year(row, changed_at, credit_code) -> dict:
    return {"id": row.id, "firm_id": row.firm_id, "credit_code": credit_code, "fiscal_year": row.fiscal_year,
            "employees": row.employees, "tech_staff": row.tech_staff, "status": row.status, "origin": row.origin,
            "updated_at": changed_at, **{name: str(getattr(row, name)) for name in AMOUNTS}}


def _firm_facts(row, changed_at, credit_code) -> dict:
    return {"id": row.id, "firm_id": row.firm_id, "credit_code": credit_code, "status": row.status,
            "origin": row.origin, "updated_at": changed_at, **{name: getattr(row, name) for name in FACTS}}




def _certificate(row, changed_at, credit_code) -> dict:
    return {"id": row.id, "firm_id": row.firm_id, "credit_code": credit_code, "record_id": row.firm_track_id,
            "track": row.track.code, "kind": row.kind.value, "number": row.number, "year": row.year,
            "issued_on": row.issued_on, "status": row.status.value, "issued_at": row.issued_at,
            "superseded_at": row.superseded_at, "revoked_at": row.revoked_at, "changed_at": changed_at,
            "firm_name": row.firm_name}



@bp.get("/targets")
@needs(ApiScope.TARGETS)
@api_spec.validate(query=s.TargetsQuery, resp=responses(s.TargetsOut), tags=["targets"])
def targets_status(query: s.TargetsQuery):
    """年度目标完成情况：与 `flask targets status --json` 相同的口径"""
    from pipeline.dashboard.figures import build_track_figures
    from pipeline.i18n import local_today, local_zone

    figures = build_track_figures(query.year, today=local_today(), zone=local_zone())
    first = next(iter(figures.values()), None)
    return _json(s.TargetsOut, year=query.year, through=first.through if first else None,
                 tracks=[{"track": code, "name": item.name, **item.as_json()} for code, item in figures.items()])


def _register_list(path: str, name: str, scope: ApiScope, page_model, read, item, summary: str) -> None:
    """One list endpoint: GET `path` answers one page of `read`'s rows, each made by `item`, to clients holding
    `scope`; spectree documents it under `summary` with `page_model` as its answer."""
    def view(query: s.ListQuery):
        return _list(page_model, read, item, query)

    view.__name__, view.__qualname__, view.__doc__ = name, name, summary
    validated = api_spec.validate(query=s.ListQuery, resp=responses(page_model), tags=[scope.value])(view)
    bp.add_url_rule(path, name, needs(scope)(validated), methods=["GET"])


for _path, _name, _scope, _page_model, _read, _item, _summary in (
    ("/firms", "list_firms", ApiScope.FIRMS, s.FirmPage, queries.list_firms, _firm,
     "企业列表（按 updated_at 与 id 排序的游标分页）"),
    ("/indicators/years", "list_firm_years", ApiScope.INDICATORS, s.FirmYearPage, queries.list_firm_years, _firm_year,
     "企业年度指标（局方核实版本，金额单位万元），按 updated_at 与 id 分页"),
    ("/indicators/facts", "list_firm_facts", ApiScope.INDICATORS, s.FirmFactsPage, queries.list_firm_facts,
     _firm_facts, "企业非年度指标（知识产权、高企领域等，局方核实版本），按 updated_at 与 id 分页"),
    ("/certificates", "list_certificates", ApiScope.CERTIFICATES, s.CertificatePage, queries.list_certificates,
     _certificate, "入库证书（每一份签发的副本），按最近变更时间（签发、换发、撤销）与 id 分页"),
):
    _register_list(_path, _name, _scope, _page_model, _read, _item, _summary)
