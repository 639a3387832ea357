from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from pipeline.accounts.login import record_login_failure, start_login
from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth import bp
from pipeline.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from pipeline.auth.models import Role
from pipeline.auth.services import AuthError, UserError, authenticate, change_password, end_sessions
from pipeline.auth.throttle import throttle_policy
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.rollup.access import reads_rollup
from pipeline.web import client_ip, safe_next_url


def home_url_for(user) -> str:
    if user.role is Role.FIRM:
        return url_for("portal.index")
    if reads_rollup(user):
        return url_for("rollup.index")  # a city's or province's reader: the roll-up of its counties (issue 24)
    if user.role is Role.LEADER:
        return url_for("dashboard.index")  # leaders read the numbers; officers work the board
    if user.role is Role.OFFICER:
        return url_for("workbench.index")  # today's to-dos of their firms (issue 20)
    return url_for("funnel.board")


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_url_for(current_user))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, client_ip(), utcnow(),
                                policy=throttle_policy(current_app))
        except AuthError as exc:
            record_login_failure(form.username.data, str(exc), utcnow())
            db.session.commit()  # keep the failed attempt: it counts towards the throttles
            form.password.errors.append(str(exc))
            return render_template("auth/login.html", form=form), 200
        return start_login(user, form.next.data, utcnow(), home_url_for)  # the second factor, if enrolled
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record_event(AuditKind.LOGOUT, actor=current_user, target=current_user)
    end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data, utcnow(),
                            min_length=current_app.config["PASSWORD_MIN_LENGTH"])
        except UserError as exc:
            form.new.errors.append(str(exc))
            return render_template("auth/password.html", form=form)
        db.session.commit()
        login_user(current_user._get_current_object())  # this session carries the new token; every other one has ended
        flash(_("密码已修改，其他设备上的登录已失效。"), "success")
        return redirect(home_url_for(current_user))
    return render_template("auth/password.html", form=form)


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
    return redirect(safe_next_url(form.next.data, url_for("auth.index")))
