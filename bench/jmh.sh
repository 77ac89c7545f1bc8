#!/usr/bin/env bash
# JMH micro-benchmarks of the translators: bench/jmh.sh [JMH options, e.g. -f 1 -wi 3 -i 5 or a benchmark name]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/classpath.txt)" org.openjdk.jmh.Main \
  -f 1 -wi 3 -w 2s -i 5 -r 2s io.signalhub.bench.TranslatorBenchmarks "$@"
