#!/usr/bin/env bash
# Data Out benchmark: bench/data-out.sh [events=100000] [events-per-request=100] [connections=8]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx1g -cp "target/classes:target/test-classes:$(cat target/classpath.txt)" io.signalhub.bench.DataOutBenchmark "$@"
