"""Writes compute/savedmodel/op-defaults.json: TensorFlow's default attribute values of the ops tfjs runs.

SavedModels are often written with strip_default_attrs (Keras' export does it), leaving out every
attribute whose value is the op's default; tfjs reads some of those (Conv2D's dilations) without
knowing the default. The values come from TensorFlow's own op registry:
  python op_defaults.py <tfjs ops as a JSON list> compute/savedmodel/op-defaults.json
"""
import json
import sys

from google.protobuf import json_format
from tensorflow.python.framework import op_def_registry

ops = json.load(open(sys.argv[1]))
table = {}
for name in sorted(ops):
    op = op_def_registry.get(name)
    if op is None:
        continue
    defaults = {a.name: json_format.MessageToDict(a.default_value) for a in op.attr if a.HasField('default_value')}
    if defaults:
        table[name] = defaults
with open(sys.argv[2], 'w') as f:
    json.dump(table, f, indent=0, sort_keys=True)
    f.write('\n')
