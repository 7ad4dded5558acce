# Sourced by the bench's profiling scripts: sets LIB to async-profiler's agent, which the Maven
# wrapper fetches from Maven Central (tools.profiler:async-profiler) into bench/target the first time.
AP_VERSION=4.2
AP=bench/target/async-profiler/$AP_VERSION
if [ ! -f "$AP/linux-x64/libasyncProfiler.so" ]; then
  ./mvnw -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:$AP_VERSION -DoutputDirectory="$AP" >&2
  (cd "$AP" && unzip -qo "async-profiler-$AP_VERSION.jar" 'linux-x64/*')
fi
LIB=$(cd "$AP/linux-x64" && pwd)/libasyncProfiler.so
