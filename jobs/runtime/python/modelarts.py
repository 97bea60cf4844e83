"""Helpers for Python boot files run by ModelArts Local (standard library only).

    from modelarts import args, report
    a = args()                      # {'data_url': '/…/inputs/data_url/', 'max_steps': '1000', …}
    report(step=10, accuracy=0.91)  # shows up in GET /training-jobs/<id>/metrics
"""
import json
import os
import sys
import time


def args(argv=None):
    """The --name=value arguments the platform passes, as a dict of strings."""
    out = {}
    items = list(sys.argv[1:] if argv is None else argv)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg.startswith('--'):
            if '=' in arg:
                name, value = arg[2:].split('=', 1)
            elif i + 1 < len(items) and not items[i + 1].startswith('--'):
                name, value = arg[2:], items[i + 1]
                i += 1
            else:
                name, value = arg[2:], 'true'
            out[name] = value
        i += 1
    return out


def report(**metrics):
    """Sends numeric metrics to the platform (one JSON line on MA_METRICS_FD)."""
    line = json.dumps(dict(metrics, time=int(time.time() * 1000))) + '\n'
    fd = os.environ.get('MA_METRICS_FD')
    if fd and fd.isdigit() and int(fd) > 2:
        os.write(int(fd), line.encode('utf-8'))
    else:
        sys.stdout.write('metrics ' + line)
        sys.stdout.flush()
