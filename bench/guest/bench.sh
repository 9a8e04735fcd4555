# SPDX-License-Identifier: MIT
# Guest side of bench/guest/run.sh (busybox sh): O_DIRECT dd on the zvfio
# ECKD and FBA and on a virtio-blk-ccw disk, round-robin so each round
# measures all three under the same conditions.  Prints
#   BENCH <disk> <test> <round> <microseconds> <bytes or ios>
FBA=0.0.0200
ECKD=0.0.0201
ROUNDS=${ROUNDS:-5}
MIB=32     # per 1 MiB run
IOS=${IOS:-2000}   # per 4 KiB run
DISKS=${DISKS:-eckd fba virtio}
TESTS=${TESTS:-write1m read1m read4k}
now_us() {
    t=$EPOCHREALTIME
    echo $((${t%.*} * 1000000 + 1${t#*.} - 1000000))
}
online() {
    echo 1 >/sys/bus/ccw/devices/$1/online || echo "BENCH-FAIL online $1"
    for _ in $(seq 50); do
        for b in /sys/bus/ccw/devices/$1/block/dasd*; do
            [ -b /dev/$(basename $b)1 ] && { echo $(basename $b)1; return; }
        done
        sleep 0.1
    done
    echo "BENCH-FAIL no partition on $1" >&2
}
run() { # disk test round count cmd...
    rd=$1 rt=$2 rr=$3 rn=$4
    shift 4
    t0=$(now_us)
    "$@" 2>/tmp/err || echo "BENCH-FAIL $rd $rt: $(cat /tmp/err)"
    echo "BENCH $rd $rt $rr $(($(now_us) - t0)) $rn"
}
eckd=$(online $ECKD)
fba=$(online $FBA)
vd=
for b in /sys/block/vd*; do [ -e "$b" ] && vd=$(basename $b); done
echo "BENCH-DISKS eckd=$eckd fba=$fba virtio=$vd"
for r in $(seq $ROUNDS); do
    for d in eckd:$eckd fba:$fba virtio:$vd; do
        n=${d%%:*} dev=/dev/${d#*:}
        case " $DISKS " in *" $n "*) ;; *) continue ;; esac
        [ -b "$dev" ] || { echo "BENCH-FAIL $n: no $dev"; continue; }
        for t in $TESTS; do
            case $t in
            write1m) run $n write1m $r $((MIB << 20)) dd if=/dev/zero of=$dev bs=1M count=$MIB oflag=direct ;;
            read1m) run $n read1m $r $((MIB << 20)) dd if=$dev of=/dev/null bs=1M count=$MIB iflag=direct ;;
            read4k) run $n read4k $r $IOS dd if=$dev of=/dev/null bs=4k count=$IOS iflag=direct ;;
            esac
        done
    done
done
echo "E2E-END bench"
