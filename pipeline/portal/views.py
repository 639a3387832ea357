from flask import render_template
from flask_login import current_user

from pipeline.portal import bp


@bp.route("/")
def index():
    return render_template("portal/index.html", firm=current_user.firm)
