# The capture kept in the evidence folder: every capture of the DDL's first 5 s and
# of its last 5 s (and 3 s after), one in every 20 in between (about every 21 s).
import re, sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src).read()
parts = re.split(r'(?m)^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+$)', text)
parts = [p for p in parts if p.strip()]
from datetime import datetime
def ts(p): return datetime.strptime(p.split('\n',1)[0][:26], '%Y-%m-%d %H:%M:%S.%f')
ddl = [ts(p) for p in parts if 'DROP INDEX' in p]
first, last = ddl[0], ddl[-1]
keep = []
for i, p in enumerate(parts):
    t = ts(p)
    if (t - first).total_seconds() < 5 or -3 < (last - t).total_seconds() < 5 or i % 20 == 0:
        keep.append(p)
open(dst, 'w').write(''.join(keep))
print(len(parts), 'captures,', len(keep), 'kept; DDL seen', first, '..', last, file=sys.stderr)
