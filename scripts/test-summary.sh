#!/usr/bin/env bash
# Prints "XCTest: N passed, N failed, N skipped" for a `swift test --parallel --xunit-output REPORT`
# run. SwiftPM's xunit report has no skipped tests (it lists them as passed) and its parallel output
# drops their messages, so tests skip through TestSupport's Requirement, which appends each skip to
# SKIPLOG; this script counts them, marks them <skipped/> in the report, and lists them.
# Exits 1 when a test failed, when none ran, or when any was skipped while PLEINAIR_REQUIRE is set
# (scripts/test.sh sets it: there, every test is meant to run).
set -euo pipefail
report=${1:?usage: test-summary.sh REPORT.xml SKIPLOG}
skiplog=${2:?usage: test-summary.sh REPORT.xml SKIPLOG}
cd "$(dirname "$0")/.."
raw=$(grep -rln 'XCTSkip(' Tests --include='*.swift' | grep -v '^Tests/TestSupport/' || true)
if [ -n "$raw" ]; then
  echo "these tests skip without Requirement.check, so the summary could not count their skips: $raw" >&2
  exit 1
fi
[ -s "$report" ] || { echo "no test report at $report: the test run died before writing it" >&2; exit 1; }
touch "$skiplog"
/usr/bin/env python3 - "$report" "$skiplog" <<'PY'
import os, sys, xml.etree.ElementTree as ET
report, skiplog = sys.argv[1], sys.argv[2]
skips = {}
for line in open(skiplog, encoding="utf-8"):
    name, _, message = line.rstrip("\n").partition("\t")
    skips[name.replace("/", ".")] = message  # XCTest names a test Class.test (Linux) or Class/test
tree = ET.parse(report)
cases = list(tree.getroot().iter("testcase"))
def skip_message(c):
    short = f"{c.get('classname').split('.')[-1]}.{c.get('name')}"
    return skips.get(short)
failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
skipped = [c for c in cases if c not in failed and (c.find("skipped") is not None or skip_message(c) is not None)]
for c in skipped:
    if c.find("skipped") is None:
        ET.SubElement(c, "skipped", message=skip_message(c))
tree.write(report, encoding="UTF-8", xml_declaration=True)
name = lambda c: f"{c.get('classname')}.{c.get('name')}"
for c in skipped:
    print(f"skipped: {name(c)}: {c.find('skipped').get('message')}")
for c in failed:
    print(f"failed: {name(c)}")
passed = len(cases) - len(failed) - len(skipped)
print(f"XCTest: {passed} passed, {len(failed)} failed, {len(skipped)} skipped")
if not cases:
    print("no test ran")
    sys.exit(1)
if skipped and os.environ.get("PLEINAIR_REQUIRE"):
    print(f"PLEINAIR_REQUIRE={os.environ['PLEINAIR_REQUIRE']}: every test here is meant to run, and {len(skipped)} did not")
if failed or (skipped and os.environ.get("PLEINAIR_REQUIRE")):
    sys.exit(1)
PY
