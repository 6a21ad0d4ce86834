"""Domain signals, so one feature reacts to another without importing its internals.

Senders fire them inside the service transaction; receivers do their own work in the same
transaction (flush, never commit), so a rollback undoes both.
"""

from blinker import Namespace

_signals = Namespace()

#: sender: the Convening that became published (or was re-published).
convening_published = _signals.signal("convening-published")
#: sender: the Convening; kwargs: changes (dict of field -> (old, new)).
convening_changed = _signals.signal("convening-changed")
#: sender: the Registration whose status changed; kwargs: previous (str | None).
registration_changed = _signals.signal("registration-changed")
