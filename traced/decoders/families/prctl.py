"""prctl: the option by name (generated from linux/prctl.h, where the options are
the ``#define``s at the left margin and their arguments' values are indented).
"""

from __future__ import annotations

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.kinds import Decoder
from traced.decoders.xlat import Table

DECODERS: dict[str, Decoder] = {"enum:prctl": named.enum(K.PRCTL, "PR_???")}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"enum:prctl": K.PRCTL}
