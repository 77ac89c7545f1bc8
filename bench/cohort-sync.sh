#!/usr/bin/env bash
# Cohort sync benchmark: bench/cohort-sync.sh [members=100000] [percent-changed=2]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx2g -cp "target/classes:target/test-classes:$(cat target/classpath.txt)" io.signalhub.bench.CohortSyncBenchmark "$@"
