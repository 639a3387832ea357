"""Signals one feature sends and others subscribe to (connected in register_* steps, never at import)."""

from blinker import Namespace

stage_changed = Namespace().signal('stage-changed')
