from flask import render_template

from pipeline.domain.stages import LADDER, STAGE_LABELS, Stage
from pipeline.funnel import bp
from pipeline.funnel.queries import count_by_stage, list_tracks


@bp.route("/")
def board():
    tracks = list_tracks()
    counts = {track.id: count_by_stage(track.id) for track in tracks}
    return render_template("funnel/board.html", tracks=tracks, counts=counts, stages=list(LADDER) + [
        s for s in Stage if s not in LADDER], labels=STAGE_LABELS)
