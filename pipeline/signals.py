"""Signals one feature sends and others subscribe to (connected in register_* steps, never at import)."""

from blinker import Namespace

stage_changed = Namespace().signal('stage-changed')
figures_changed = Namespace().signal('figures-changed')  # a firm's official figures or facts were saved
# many firms' official figures, facts or firm records at once (an import): sent once, after the rows are written
many_figures_changed = Namespace().signal('many-figures-changed')
