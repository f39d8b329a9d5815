#!/usr/bin/env bash
# segment benchmark: headless Segment command vs medsynth-spark (embedded local[1]/local[2], local-cluster 1/2 executor JVMs)
set -u
B=${1:?usage: segment-bench.sh WORKDIR (with WORKDIR/model.zip, WORKDIR/bench/images, WORKDIR/one/, WORKDIR/sparkhome)}; M=$B/model.zip; W=$(cd "$(dirname "$0")/../.." && pwd)
export SPARK_SCALA_VERSION=2.12 SPARK_HOME=$B/sparkhome
out=$B/results.tsv
t() { date +%s.%N; }
run_headless() { # N input out
  echo "run(\"MedSynth Segment\", \"model=[$M] input=[$2] output=[$3]\");" > $B/seg.ijm
  MEDSYNTH_JAVA_OPTS=-Xmx3g $W/bin/medsynth-headless $B/seg.ijm > $3.log 2>&1
}
run_spark() { # master input out
  MEDSYNTH_JAVA_OPTS=-Xmx3g $W/bin/medsynth-spark segment model=$M input=$2 output=$3 master="$1" progress_seconds=30 > $3.log 2>&1
}
for round in 1 2; do
  for mode in headless local1 local2 cluster1 cluster2; do
    for input in one bench/images; do
      n=$([ $input = one ] && echo 1 || echo 60)
      o=$B/out-$round-$mode-$n; rm -rf $o $o.log
      load=$(cut -d' ' -f1 /proc/loadavg); s=$(t)
      case $mode in
        headless) run_headless $n $B/$input $o ;;
        local1) run_spark 'local[1]' $B/$input $o ;;
        local2) run_spark 'local[2]' $B/$input $o ;;
        cluster1) run_spark 'local-cluster[1,1,3072]' $B/$input $o ;;
        cluster2) run_spark 'local-cluster[2,1,3072]' $B/$input $o ;;
      esac
      rc=$?; e=$(t); files=$(ls $o/*-labels.tif 2>/dev/null | wc -l)
      printf "%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\n" $round $mode $n $(echo "$e - $s" | bc) $load $(cut -d' ' -f1 /proc/loadavg) $rc $files | tee -a $out
    done
  done
done
echo done >> $out
