#!/usr/bin/env bash
# The load driver against the packaged hub as its own process: bench/run.sh [ingest] [http] [kafka] [sinks] [data-in] [cohort]
# (all six by default). Sizes in BENCH_OPTS: -Dbench.events=… -Dbench.connections=… -Dbench.members=…
# -Dbench.hub-heap=256m. Results and how to read them: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx6g ${BENCH_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/classpath.txt)" io.signalhub.bench.LoadDriver "$@"
