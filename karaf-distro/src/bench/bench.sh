#!/usr/bin/env bash
# Benchmarks the Budayang distribution against vanilla Karaf 4.4.10 (see Bench.java for what and how).
#
#   bash karaf-distro/src/bench/bench.sh                      full run (about 5 to 7 minutes)
#   bash karaf-distro/src/bench/bench.sh --duration 2 --runs 1 --deploy-rounds 1   quick smoke run
#   bash karaf-distro/src/bench/bench.sh --only menu,cases,mixed     only the writes and the menu beside them
#
# Phases (--only): start (cold starts), menu, static, cases (50 citizens submitting cases to the
# embedded Derby, then the menu again), mixed (submissions and menu load at once), deploy,
# locker (20 cabinets on sim: lock boards: drop-off, door shut, staff pickup in closed loops),
# lockpty (one lock-open command over a socat pty; needs socat). Locker phases only:
#   bash karaf-distro/src/bench/bench.sh --only locker,lockpty
#
# SMS outbox under kill -9 (duplicates per kill, recovery delay) is a program of its own:
#   java karaf-distro/src/bench/SmsKillBench.java --kills 20 [--port-shift N]   (see docs/BENCHMARKS.md)
#
# Needs the distribution built first (./run, or mvn -DskipTests install), and the ports of a
# default Karaf free (8181, 8101, 1099, 44444): stop any ./run demo hall before. The machine should
# be otherwise idle; a build running beside it takes the same cores.
set -euo pipefail
cd "$(dirname "$0")/../../.."   # the repository root: Bench.java resolves its defaults from there

# Karaf 4.4 needs Java 17 (it does not start on 21+ because of the Security Manager); the
# benchmark runs on the same Java and hands it to Karaf as JAVA_HOME.
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if [ "$(java_major "${JAVA_HOME:+$JAVA_HOME/bin/}java" 2>/dev/null)" != "17" ]; then
  for j in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/temurin-17* /usr/lib/jvm/jdk-17*; do
    if [ -x "$j/bin/java" ]; then export JAVA_HOME="$j"; break; fi
  done
fi
if [ -n "${JAVA_HOME:-}" ]; then export PATH="$JAVA_HOME/bin:$PATH"; fi
[ "$(java_major java)" = "17" ] || { echo "The benchmark needs Java 17 (found: $(java -version 2>&1 | head -1))" >&2; exit 1; }
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

echo "== Machine"
echo "nproc:  $(nproc)"
echo "CPU:    $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)"
echo "Memory: $(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "Load:   $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Java:   JAVA_HOME=$JAVA_HOME"
java -version 2>&1 | sed 's/^/        /'
echo

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
distro="karaf-distro/target/budayang-distro-$version.tar.gz"
if [ ! -f "$distro" ]; then
  echo "$distro not found: build it first with ./run or mvn -DskipTests install" >&2
  exit 1
fi

repo="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
vanilla="$repo/org/apache/karaf/apache-karaf/4.4.10/apache-karaf-4.4.10.tar.gz"
if [ ! -f "$vanilla" ]; then
  echo "== Fetching vanilla Karaf 4.4.10 into $repo"
  mvn -q -B -ntp -Dmaven.repo.local="$repo" dependency:get \
      -Dartifact=org.apache.karaf:apache-karaf:4.4.10:tar.gz -Dtransitive=false \
    || echo "could not fetch vanilla Karaf; the cold-start comparison will be skipped" >&2
fi

# --command puts this very command line into the report; options after it override the defaults.
exec java karaf-distro/src/bench/Bench.java \
  --command "bash karaf-distro/src/bench/bench.sh${*:+ $*}" \
  --distro "$distro" --m2 "$repo" --java-home "$JAVA_HOME" "$@"
