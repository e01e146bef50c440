#!/usr/bin/env python3
"""Where a JFR recording's CPU samples are: the share of samples per top frame (self time) and per d4c/Beam method
anywhere on the stack (total time). Usage: jfr print --events jdk.ExecutionSample REC.jfr > s.txt; jfr-top.py s.txt"""
import collections, re, sys

samples, self_time, total = 0, collections.Counter(), collections.Counter()
stack = None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.strip()
    if line.startswith("jdk.ExecutionSample"):
        stack = []
    elif stack is not None and re.match(r"^[\w$.<>]+\(", line):
        stack.append(line.split("(")[0])
    elif stack is not None and line == "]":
        pass
    elif stack is not None and line == "}":
        if stack:
            samples += 1
            self_time[stack[0]] += 1
            for m in set(stack):
                if m.startswith(("org.d4c.", "org.apache.beam.", "org.apache.parquet.", "java.util.zip.")):
                    total[m] += 1
        stack = None
print(f"{samples} samples")
print("self (top frame):")
for m, n in self_time.most_common(25):
    print(f"  {100.0 * n / samples:5.1f}%  {m}")
print("total (on the stack), d4c / Beam / Parquet:")
for m, n in total.most_common(40):
    print(f"  {100.0 * n / samples:5.1f}%  {m}")
