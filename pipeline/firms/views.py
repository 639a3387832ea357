from flask import render_template
from flask_login import current_user

from pipeline.firms import bp
from pipeline.firms.queries import get_firm_or_404, list_firms_page


@bp.route("/")
def index():
    return render_template("firms/index.html", firms=list_firms_page(current_user))


@bp.route("/<int:firm_id>")
def detail(firm_id: int):
    return render_template("firms/detail.html", firm=get_firm_or_404(firm_id, current_user))
