#!/usr/bin/env bash
# Fetches Temporal's time-skipping test server (Maven) into a per-user cache and writes a wrapper
# script that execs java, for TestWorkflowEnvironment.createTimeSkipping({server.executable}).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
wrapper="$TEST_SERVER_DIR/temporal-test-server"
if [ -x "$wrapper" ]; then echo "$wrapper"; exit 0; fi
need java "a Java JDK >= 11 (e.g. apt-get install default-jdk-headless)"
need javac "a Java JDK >= 11 (e.g. apt-get install default-jdk-headless)"
need mvn "Maven (e.g. apt-get install maven)"
mkdir -p "$(dirname "$TEST_SERVER_DIR")"
exec 9>"$TEST_SERVER_DIR.lock"
flock 9
if [ -x "$wrapper" ]; then echo "$wrapper"; exit 0; fi
tmp="$TEST_SERVER_DIR.build-$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "dura setup: fetching temporal-test-server $TEST_SERVER_VERSION (first time only)" >&2
mvn -q -B -f "$here/test-server/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$tmp/lib" >&2
# TestServer's own main listens on every interface; this launcher listens on 127.0.0.1 only.
mkdir -p "$tmp/classes"
javac -d "$tmp/classes" -cp "$tmp/lib/*" "$here/test-server/LoopbackTestServer.java" >&2
cat >"$tmp/temporal-test-server" <<WRAP
#!/bin/sh
# Temporal time-skipping test server $TEST_SERVER_VERSION on 127.0.0.1; argument: <port>.
exec java -Xss4m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$TEST_SERVER_DIR/classes:$TEST_SERVER_DIR/lib/*" LoopbackTestServer "\$@"
WRAP
chmod +x "$tmp/temporal-test-server"
rm -rf "$TEST_SERVER_DIR"
mv "$tmp" "$TEST_SERVER_DIR"
trap - EXIT
echo "$wrapper"
