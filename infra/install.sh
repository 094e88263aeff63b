#!/usr/bin/env bash
# Install (download + cache) the dev/test servers: Kafka (KRaft), Apicurio
# Registry (Confluent-compatible API) and FerretDB (MongoDB wire protocol).
# Idempotent: a component whose install marker exists is skipped.
#
# Usage: infra/install.sh [kafka|registry|mongo ...]   (default: all)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MVN=(mvn -q -B -Dstyle.color=never "-Dmaven.repo.local=$M2_REPO")

install_kafka() {
  require_cmd java "Java 17+"
  require_cmd mvn "Maven 3"
  local build=$KAFKA_HOME.build
  rm -rf "$build"
  mkdir -p "$build"
  # A throw-away pom whose runtime dependency closure is a Kafka broker
  # plus its command line tools and a log4j 1.x (reload4j) backend.
  cat >"$build/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.hookline.infra</groupId>
  <artifactId>kafka-dist</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$KAFKA_SCALA_VERSION</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>$SLF4J_VERSION</version></dependency>
    <!-- compression codecs (kafka-clients declares them, the broker pom drops them) -->
    <dependency><groupId>com.github.luben</groupId><artifactId>zstd-jni</artifactId><version>1.5.6-4</version></dependency>
    <dependency><groupId>org.xerial.snappy</groupId><artifactId>snappy-java</artifactId><version>1.1.10.5</version></dependency>
  </dependencies>
</project>
EOF
  (cd "$build" && "${MVN[@]}" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$build/jars")
  [[ -f $build/jars/kafka_$KAFKA_SCALA_VERSION-$KAFKA_VERSION.jar ]] || die "kafka jars missing after maven run"

  mkdir -p "$build/config"
  # Broker: log to stdout (start.sh redirects it to $HOOKLINE_DATA/logs/kafka.log).
  cat >"$build/config/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.controller=INFO
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF
  # Command line tools: warnings only, on stderr.
  cat >"$build/config/tools-log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
EOF
  mv "$build/pom.xml" "$build/config/pom.xml"
  rm -rf "$KAFKA_HOME"
  mv "$build" "$KAFKA_HOME"
  date -u +%FT%TZ >"$KAFKA_HOME/.installed"
}

install_registry() {
  require_cmd java "Java 17+"
  require_cmd mvn "Maven 3"
  local coords=io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all
  local tarball=$M2_REPO/io/apicurio/apicurio-registry-app/$APICURIO_VERSION/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz
  if [[ ! -f $tarball ]]; then
    (cd "$HOOKLINE_CACHE" && "${MVN[@]}" dependency:get -Dartifact="$coords" -Dtransitive=false)
  fi
  [[ -f $tarball ]] || die "maven did not produce $tarball"
  local build=$APICURIO_HOME.build
  rm -rf "$build"
  mkdir -p "$build"
  tar -xzf "$tarball" -C "$build"
  [[ -f $build/$(basename "$APICURIO_JAR") ]] || die "runner jar not found in $tarball"
  rm -rf "$APICURIO_HOME"
  mv "$build" "$APICURIO_HOME"
  date -u +%FT%TZ >"$APICURIO_HOME/.installed"
}

install_mongo() {
  require_cmd go "Go 1.24+"
  local module=github.com/FerretDB/FerretDB
  local src build=$FERRETDB_HOME.build
  rm -rf "$build"
  mkdir -p "$build"
  # Private module + build caches inside the build dir (deleted afterwards; the
  # binary is what gets cached), so a cold install is reproducible and the
  # cache stays small (~45 MB instead of ~1 GB).
  export GOMODCACHE=$build/go/mod GOCACHE=$build/go/build
  export GOFLAGS=-modcacherw GOTOOLCHAIN=local CGO_ENABLED=0
  # `go install ...@version` is not usable: it needs the module's version list
  # (not served to us) and FerretDB refuses to start without
  # build/version/version.txt. So: fetch the exact module version from the Go
  # module proxy, add version.txt, build ./cmd/ferretdb inside the module.
  src=$(cd "$build" && go mod download -json "$module@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n $src && -d $src ]] || die "go mod download $module@$FERRETDB_VERSION failed"
  cp -R "$src" "$build/src"
  chmod -R u+w "$build/src"
  # Lookups by _id use the _id index (see the patch's header): without it every update scans its collection.
  # (A repository of its own, so that an enclosing one cannot make git apply skip paths; gone before the build.)
  (cd "$build/src" && git init -q . && git apply --whitespace=nowarn "$FERRETDB_PATCH" && rm -rf .git) ||
    die "could not apply $FERRETDB_PATCH"
  echo "$FERRETDB_VERSION" >"$build/src/build/version/version.txt"
  echo "go-mod-download" >"$build/src/build/version/package.txt"
  (cd "$build/src" && go build -trimpath -o "$build/ferretdb" ./cmd/ferretdb) 2>"$build/go-build.log" || {
    grep -v '^go: downloading' "$build/go-build.log" >&2
    die "go build of FerretDB failed"
  }
  rm -rf "$build/src" "$build/go" "$build/go-build.log"
  "$build/ferretdb" --version >/dev/null || die "built ferretdb binary does not run"
  rm -rf "$FERRETDB_HOME"
  mv "$build" "$FERRETDB_HOME"
  date -u +%FT%TZ >"$FERRETDB_HOME/.installed"
}

main() {
  local comps c t0 total0
  mapfile -t comps < <(components_from_args "$@")
  mkdir -p "$HOOKLINE_CACHE"
  # Serialize concurrent installs (e.g. parallel test runners).
  exec 9>"$HOOKLINE_CACHE/.install.lock"
  flock -w 600 9 || die "timed out waiting for the lock held by another infra script"
  total0=$(now)
  for c in "${comps[@]}"; do
    if component_installed "$c"; then
      log "$c: cached"
      continue
    fi
    t0=$(now)
    case "$c" in
      kafka) log "kafka: installing org.apache.kafka:kafka_$KAFKA_SCALA_VERSION:$KAFKA_VERSION + deps via maven ..." ;;
      registry) log "registry: installing io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all via maven ..." ;;
      mongo) log "mongo: building FerretDB $FERRETDB_VERSION from the Go module proxy ..." ;;
    esac
    "install_$c"
    log "$c: installed in $(($(now) - t0))s"
  done
  log "install done in $(($(now) - total0))s (cache: $HOOKLINE_CACHE)"
}

main "$@"
