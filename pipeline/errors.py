"""Error pages in the user's language; a CSRF refusal is a clear message, not a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from pipeline.extensions import db

MESSAGES = {
    400: _l("请求无效。"),
    403: _l("您没有权限访问此页面。"),
    404: _l("未找到您要访问的页面或数据。"),
    405: _l("不支持此操作。"),
    413: _l("上传的文件太大。"),
    429: _l("请求过于频繁，请稍后再试。"),
    500: _l("系统内部错误，请稍后再试；如持续出现请联系管理员。"),
}


def render_error(code: int, message: str | None = None):
    return render_template("errors/error.html", code=code, message=message or str(MESSAGES[code])), code


def register_error_handlers(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _("页面已过期或表单令牌无效，请刷新页面后重试。"))

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return render_error(500)
